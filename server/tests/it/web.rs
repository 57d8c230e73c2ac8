//! The web client's files on the public port (`--web-root`): content types, caching, the
//! Content-Security-Policy, path traversal refused (dot segments, encoded dots, hidden files, a symbolic
//! link out of the root), and the page a node without a built client answers.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{TestRedis, TestServer, WAIT};

const SECRET: &str = "the secret outside the web root";

/// A scratch directory holding a built client in `dist/` and a secret beside it; removed on drop.
struct Site {
    dir: PathBuf,
}

impl Site {
    fn new() -> Site {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!("leapfrog-web-{}-{nanos}", std::process::id()));
        let assets = dir.join("dist/assets");
        std::fs::create_dir_all(&assets).unwrap();
        std::fs::write(
            dir.join("dist/index.html"),
            "<!doctype html><title>Leapfrog</title>",
        )
        .unwrap();
        std::fs::write(assets.join("main-AB12CD34.js"), "console.log(1);").unwrap();
        std::fs::write(assets.join("main-AB12CD34.css"), "body{}").unwrap();
        std::fs::write(dir.join("dist/.hidden"), SECRET).unwrap();
        std::fs::write(dir.join("secret.txt"), SECRET).unwrap();
        std::os::unix::fs::symlink(dir.join("secret.txt"), assets.join("leak.txt")).unwrap();
        Site { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.join("dist")
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A whole response to `GET path` sent exactly as written (no client normalises the path): status,
/// headers (lower-case names) and body.
async fn get(addr: SocketAddr, path: &str) -> (u16, Vec<(String, String)>, String) {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(WAIT, exchange)
        .await
        .expect("answered in time")
        .expect("HTTP exchange");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> &'h str {
    headers
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

async fn serving(root: &Path) -> (TestRedis, TestServer) {
    let redis = TestRedis::start().await;
    let root = root.to_str().expect("a UTF-8 path");
    let server = TestServer::start(&redis, &["--web-root", root]).await;
    (redis, server)
}

#[tokio::test]
async fn the_page_and_its_assets_come_with_types_caching_and_a_strict_policy() {
    let site = Site::new();
    let (_redis, server) = serving(&site.root()).await;

    let (status, headers, body) = get(server.public, "/").await;
    assert_eq!(status, 200);
    assert_eq!(body, "<!doctype html><title>Leapfrog</title>");
    assert_eq!(header(&headers, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&headers, "cache-control"), "no-cache");
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    assert_eq!(header(&headers, "referrer-policy"), "no-referrer");
    let policy = header(&headers, "content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self';",
        "style-src 'self';",
        &format!("connect-src 'self' ws://{0} wss://{0};", server.public),
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");

    let (status, headers, body) = get(server.public, "/index.html?player=alice").await;
    assert_eq!((status, body.len()), (200, 38));
    assert_eq!(header(&headers, "cache-control"), "no-cache");

    let (status, headers, body) = get(server.public, "/assets/main-AB12CD34.js").await;
    assert_eq!((status, body.as_str()), (200, "console.log(1);"));
    assert_eq!(
        header(&headers, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        header(&headers, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&headers, "content-security-policy").contains("script-src 'self'"));

    let (status, headers, _) = get(server.public, "/assets/main-AB12CD34.css").await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), "text/css; charset=utf-8");

    // The other routes keep their answers.
    assert_eq!(get(server.public, "/healthz").await.2, "ok");
    assert_eq!(get(server.public, "/v1/standing/global").await.0, 401);
    assert_eq!(get(server.public, "/assets/missing-1.js").await.0, 404);
}

#[tokio::test]
async fn nothing_outside_the_web_root_is_served() {
    let site = Site::new();
    let (_redis, server) = serving(&site.root()).await;
    for path in [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/assets/..\\..\\secret.txt",
        "/.hidden",
        "/assets/leak.txt",
        "//etc/passwd",
        "/assets",
        &format!("{}/secret.txt", site.dir.display()),
    ] {
        let (status, _, body) = get(server.public, path).await;
        assert!(
            status == 404 || status == 400,
            "{path} answered {status}: {body}"
        );
        assert!(!body.contains(SECRET), "{path} leaked the secret");
        assert!(!body.contains("root:"), "{path} leaked /etc/passwd");
    }
}

#[tokio::test]
async fn a_node_without_a_built_client_says_how_to_build_it() {
    let site = Site::new();
    let (_redis, server) = serving(&site.dir.join("not-built/dist")).await;
    let (status, headers, body) = get(server.public, "/").await;
    assert_eq!(status, 404);
    assert_eq!(header(&headers, "content-type"), "text/html; charset=utf-8");
    assert!(body.contains("npm run build"), "{body}");
    assert!(body.contains("--web-root"), "{body}");
    assert!(header(&headers, "content-security-policy").contains("default-src 'none'"));
}

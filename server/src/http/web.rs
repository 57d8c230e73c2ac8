//! The web client on the public port: `GET /` serves `index.html` and `GET /<file>` the built files from
//! `--web-root` (`server/web/dist`, built by `npm run build` in `server/web`).
//!
//! - **Paths**: only names made of `A-Z a-z 0-9 . _ -`, not starting with a dot, at most four deep, are
//!   looked up (no percent-decoding, so `..`, `%2e%2e`, backslashes and hidden files never reach the file
//!   system), and the file found must still lie under the root once symbolic links are resolved.
//! - **Caching**: files under `assets/` carry a content hash in their names (esbuild's `[name]-[hash]`),
//!   so they are cached for a year as immutable; everything else (`index.html`) is `no-cache`, so a new
//!   build is picked up at the next load.
//! - **Content-Security-Policy**: scripts, styles, images and fonts from this origin only, no inline
//!   script or style, and connections to this origin only (`'self'`, with the `ws:`/`wss:` form of the
//!   request's host spelled out for browsers that do not count WebSockets as `'self'`). No
//!   `frame-ancestors`: a host app may embed the game in a frame and pass it a token with `postMessage`.
//! - A missing root answers a 404 page that says how to build the client.

use std::path::{Path, PathBuf};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, HeaderMap, HeaderValue,
    REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use hyper::{Response, StatusCode};

use super::{Body, text};

/// Deepest path served, in segments (`assets/fonts/x.woff2` is three).
const MAX_SEGMENTS: usize = 4;

/// Serves `path` (the request's path, without the query) from `root`.
pub(crate) async fn serve(root: &Path, path: &str, headers: &HeaderMap) -> Response<Body> {
    let Some(relative) = relative_path(path) else {
        return text(StatusCode::NOT_FOUND, "not found");
    };
    let Ok(root_real) = tokio::fs::canonicalize(root).await else {
        return not_built(root, headers);
    };
    let Ok(file) = tokio::fs::canonicalize(root_real.join(&relative)).await else {
        return text(StatusCode::NOT_FOUND, "not found");
    };
    // A symbolic link inside the root may point outside it: only files under the root are served.
    if !file.starts_with(&root_real) {
        return text(StatusCode::NOT_FOUND, "not found");
    }
    let bytes = match tokio::fs::read(&file).await {
        Ok(bytes) => bytes,
        // A directory, or a file that vanished or cannot be read.
        Err(_) => return text(StatusCode::NOT_FOUND, "not found"),
    };
    let cache = if relative.starts_with("assets") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = Response::new(Full::new(Bytes::from(bytes)));
    let out = response.headers_mut();
    out.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
    out.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    secure(out, headers);
    response
}

/// The file `path` names under the root, or `None` when it is not a plain relative name.
fn relative_path(path: &str) -> Option<PathBuf> {
    let trimmed = path.strip_prefix('/')?;
    if trimmed.is_empty() {
        return Some(PathBuf::from("index.html"));
    }
    let segments: Vec<&str> = trimmed.split('/').collect();
    let plain = |segment: &&str| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
    };
    (segments.len() <= MAX_SEGMENTS && segments.iter().all(plain))
        .then(|| segments.iter().collect())
}

/// The content type of a built file, by its extension.
fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|extension| extension.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The security headers of every page and file: the Content-Security-Policy, no sniffing, no referrer
/// (a dev login or a token must not leak in one).
fn secure(out: &mut HeaderMap, request: &HeaderMap) {
    let host = request
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b".-:[]".contains(&byte))
        });
    let sockets = host.map_or_else(String::new, |host| format!(" ws://{host} wss://{host}"));
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; manifest-src 'self'; connect-src 'self'{sockets}; base-uri 'none'; \
         form-action 'none'"
    );
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        out.insert(CONTENT_SECURITY_POLICY, policy);
    }
    out.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    out.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

/// The 404 page of a node whose web root does not exist.
fn not_built(root: &Path, request: &HeaderMap) -> Response<Body> {
    let root = escape(&root.display().to_string());
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n\
         <title>Leapfrog: the web client is not built</title>\n\
         <h1>The web client is not built</h1>\n\
         <p>This node serves the game from <code>{root}</code>, which does not exist.</p>\n\
         <p>Build it with <code>cd server/web &amp;&amp; npm ci &amp;&amp; npm run build</code> \
         (<code>scripts/run-server.sh</code> does this when needed), or start the node with \
         <code>--web-root</code> naming a built <code>dist</code> directory.</p>\n</html>\n"
    );
    let mut response = Response::new(Full::new(Bytes::from(page)));
    *response.status_mut() = StatusCode::NOT_FOUND;
    let out = response.headers_mut();
    out.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    out.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    secure(out, request);
    response
}

/// `text` safe inside HTML.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_looked_up() {
        assert_eq!(relative_path("/"), Some(PathBuf::from("index.html")));
        assert_eq!(
            relative_path("/assets/main-AB12.js"),
            Some(PathBuf::from("assets/main-AB12.js"))
        );
        for refused in [
            "/..",
            "/../etc/passwd",
            "/assets/../../x",
            "/%2e%2e/x",
            "/.git/config",
            "/a//b",
            "/a\\b",
            "/a/b/c/d/e",
            "relative",
            "/assets/",
            "/x\0y",
        ] {
            assert_eq!(relative_path(refused), None, "{refused}");
        }
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("a/main-X.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("main.css")),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("blob")), "application/octet-stream");
    }

    #[test]
    fn a_hostile_host_stays_out_of_the_policy() {
        let mut request = HeaderMap::new();
        request.insert(HOST, HeaderValue::from_static("evil.example; script-src *"));
        let mut out = HeaderMap::new();
        secure(&mut out, &request);
        let policy = out[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.contains("connect-src 'self';"), "{policy}");
        assert!(!policy.contains("evil"), "{policy}");
    }
}

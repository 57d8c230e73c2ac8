//! The group commit's own connection to one Redis: a socket the batch task writes its batches to and
//! reads their replies from, with no client library between (see `batch`).
//!
//! redis-rs's multiplexed connection hands each request to a driver task over a channel, keeps a slot
//! per request and hands each reply back over another: bookkeeping about as large as a jump's own
//! checkpoint. The batch task already keeps its batches in order and knows how many replies each
//! awaits, so it drives the socket itself: its batches' bytes go out as they are, and the replies are
//! decoded (by the vendored redis-rs's reply decoder) into the batch that awaits them.
//!
//! A [`Dialer`] connects as redis-rs would for the same URL: TCP (no delay) or a Unix socket, then the
//! URL's password (and user) and database, or `HELLO 3` for a RESP3 URL.

use std::io;
use std::path::PathBuf;

use bytes::BytesMut;
use redis::{ConnectionAddr, ProtocolVersion, Value, ValueCodec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};
use tokio_util::codec::Decoder;

use super::cmd;
use super::packed::Packed;

/// Bytes read from the socket at a time at least: a batch's replies (a jump's checkpoint's are a few
/// bytes each) fit many times over.
const READ_RESERVE: usize = 16 * 1024;

/// Where one Redis is and how to greet it, from the URL the store was given. Not `Debug`: the greeting
/// holds the password.
pub(crate) struct Dialer {
    address: Address,
    db: i64,
    /// The commands sent on every new connection before any batch (authentication, database), in
    /// the protocol, and how many.
    greeting: Packed,
}

/// Where the socket connects.
enum Address {
    Tcp(String, u16),
    Unix(PathBuf),
}

impl Dialer {
    /// A dialer for `client`'s URL; an error for an address this connection does not speak (TLS).
    pub(crate) fn of(client: &redis::Client) -> redis::RedisResult<Dialer> {
        let info = client.get_connection_info();
        let address = match info.addr() {
            ConnectionAddr::Tcp(host, port) => Address::Tcp(host.clone(), *port),
            ConnectionAddr::Unix(path) => Address::Unix(path.clone()),
            _ => {
                return Err(redis::RedisError::from((
                    redis::ErrorKind::InvalidClientConfig,
                    "only TCP and Unix-socket URLs are supported for one Redis (no TLS)",
                )));
            }
        };
        let settings = info.redis_settings();
        let mut greeting = Packed::default();
        let credentials = settings.password().map(|password| {
            let mut auth = cmd("AUTH");
            if let Some(user) = settings.username() {
                auth.arg(user);
            }
            auth.arg(password);
            auth
        });
        match settings.protocol() {
            ProtocolVersion::RESP2 => {
                if let Some(auth) = credentials {
                    greeting.push(&auth);
                }
            }
            _ => {
                let mut hello = cmd("HELLO");
                hello.arg(3);
                if let Some(password) = settings.password() {
                    hello
                        .arg("AUTH")
                        .arg(settings.username().unwrap_or("default"))
                        .arg(password);
                }
                greeting.push(&hello);
            }
        }
        if settings.db() != 0 {
            greeting.push(cmd("SELECT").arg(settings.db()));
        }
        Ok(Dialer {
            address,
            db: settings.db(),
            greeting,
        })
    }

    /// The database the connection selects.
    pub(crate) fn db(&self) -> i64 {
        self.db
    }

    /// A new connection, greeted; the caller bounds how long it may take.
    pub(crate) async fn dial(&self) -> redis::RedisResult<Socket> {
        let stream = match &self.address {
            Address::Tcp(host, port) => {
                let stream = TcpStream::connect((host.as_str(), *port)).await?;
                stream.set_nodelay(true)?;
                Stream::Tcp(stream)
            }
            Address::Unix(path) => Stream::Unix(UnixStream::connect(path).await?),
        };
        let mut socket = Socket {
            stream,
            buffer: BytesMut::with_capacity(READ_RESERVE),
            codec: ValueCodec::default(),
        };
        if !self.greeting.is_empty() {
            socket.write(&self.greeting).await?;
            for _ in 0..self.greeting.count() {
                if let Value::ServerError(error) = socket.reply().await? {
                    return Err(redis::RedisError::from(error));
                }
            }
        }
        Ok(socket)
    }
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

/// One connection to Redis: requests written whole, replies decoded one at a time, in order.
pub(crate) struct Socket {
    stream: Stream,
    /// Bytes read and not yet decoded.
    buffer: BytesMut,
    codec: ValueCodec,
}

impl Socket {
    /// Writes `commands` whole.
    pub(crate) async fn write(&mut self, commands: &Packed) -> io::Result<()> {
        match &mut self.stream {
            Stream::Tcp(stream) => stream.write_all(commands.as_bytes()).await,
            Stream::Unix(stream) => stream.write_all(commands.as_bytes()).await,
        }
    }

    /// The next reply already read, if a whole one is; a decoding error if the bytes are not replies.
    pub(crate) fn decoded(&mut self) -> redis::RedisResult<Option<Value>> {
        self.codec.decode(&mut self.buffer)
    }

    /// Reads more bytes; an error at the end of the stream (Redis closed the connection).
    pub(crate) async fn fill(&mut self) -> io::Result<()> {
        self.buffer.reserve(READ_RESERVE);
        let read = match &mut self.stream {
            Stream::Tcp(stream) => stream.read_buf(&mut self.buffer).await?,
            Stream::Unix(stream) => stream.read_buf(&mut self.buffer).await?,
        };
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "Redis closed the connection",
            ));
        }
        Ok(())
    }

    /// The next reply, read as far as needed.
    async fn reply(&mut self) -> redis::RedisResult<Value> {
        loop {
            if let Some(value) = self.decoded()? {
                return Ok(value);
            }
            self.fill().await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn greeting(url: &str) -> (String, usize) {
        let dialer = Dialer::of(&redis::Client::open(url).expect("a valid url")).expect("a dialer");
        (
            String::from_utf8_lossy(dialer.greeting.as_bytes()).into_owned(),
            dialer.greeting.count(),
        )
    }

    /// A new connection says what redis-rs would for the same URL: the password (with the user if
    /// named) and the database, or `HELLO 3` for RESP3; nothing for a plain URL.
    #[test]
    fn a_connection_is_greeted_as_its_url_says() {
        assert_eq!(greeting("redis://127.0.0.1:6379/0"), (String::new(), 0));
        assert_eq!(
            greeting("redis://:pw@127.0.0.1:6379/2"),
            (
                "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n".into(),
                2
            )
        );
        assert_eq!(
            greeting("redis://me:pw@127.0.0.1:6379"),
            ("*3\r\n$4\r\nAUTH\r\n$2\r\nme\r\n$2\r\npw\r\n".into(), 1)
        );
        assert_eq!(
            greeting("redis://:pw@127.0.0.1:6379/0?protocol=resp3"),
            (
                "*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$2\r\npw\r\n"
                    .into(),
                1
            )
        );
        let unix = Dialer::of(&redis::Client::open("redis+unix:///tmp/redis.sock").expect("url"))
            .expect("a dialer");
        assert!(
            matches!(unix.address, Address::Unix(path) if path == std::path::Path::new("/tmp/redis.sock"))
        );
    }
}

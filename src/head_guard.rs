//! A guard in front of actix's HTTP/1 parser, so that every refusal is a problem document.
//!
//! actix-http refuses some request heads itself, before any service or middleware runs, with an
//! empty answer: a request target the `http` crate cannot represent (over 64 KiB) gets a bare
//! 400, a head over 128 KiB or with more than 96 header fields a bare 431. This guard wraps each
//! connection's socket and reads ahead to the end of every request head (bodies are counted
//! through by `Content-Length`). A head the parser would refuse, or one clearly over the
//! service's own limits (`MAX_URI_BYTES`, `MAX_HEADER_BYTES`), never reaches
//! the parser: in its place the parser is given a small request for a secret path naming the
//! refusal (`/.refused/{secret}/{kind}/{bytes}`, `Connection: close`), which the middleware
//! answers with the same 414 or 431 problem document as any other oversized request; the rest
//! of the oversized input is read and dropped until the connection closes. Requests stay in
//! order, so pipelined answers do too.
//!
//! A request with a chunked body (`Transfer-Encoding`) ends the guard's reading for the rest of
//! that connection (it does not parse chunks); later heads on it reach the parser as they are.

use std::io;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Longest request target (path and query) answered normally.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest total size of the request's header fields answered normally.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// A request line longer than this (the target plus method, version and spaces) is refused
/// here; up to it, the middleware measures the target exactly.
const LINE_LIMIT: usize = MAX_URI_BYTES + 64;
/// A head longer than this is refused here; up to it, the middleware measures the fields.
const HEAD_LIMIT: usize = MAX_URI_BYTES + MAX_HEADER_BYTES + 4096;
/// actix-http's parser takes at most 96 header fields.
const MAX_FIELDS: usize = 96;
/// Bytes read from the socket at a time.
const CHUNK: usize = 8 * 1024;

/// Random per process, so that a client cannot ask for the refusal path itself.
static SECRET: LazyLock<String> = LazyLock::new(|| format!("{:016x}", rand::random::<u64>()));

const PREFIX: &str = "/.refused/";

/// What the guard refused, decoded from the path of its stand-in request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The request target: at least this many bytes.
    Uri(usize),
    /// The head: at least this many bytes.
    Head(usize),
    /// More header fields than the parser takes.
    Fields(usize),
}

impl Refusal {
    fn path(self) -> String {
        let (kind, n) = match self {
            Refusal::Uri(n) => ("uri", n),
            Refusal::Head(n) => ("head", n),
            Refusal::Fields(n) => ("fields", n),
        };
        format!("{PREFIX}{}/{kind}/{n}", *SECRET)
    }

    /// The refusal a stand-in request's path names, if it is one.
    pub fn from_path(path: &str) -> Option<Refusal> {
        let rest = path.strip_prefix(PREFIX)?.strip_prefix(SECRET.as_str())?.strip_prefix('/')?;
        let (kind, n) = rest.split_once('/')?;
        let n: usize = n.parse().ok()?;
        match kind {
            "uri" => Some(Refusal::Uri(n)),
            "head" => Some(Refusal::Head(n)),
            "fields" => Some(Refusal::Fields(n)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a request head.
    Head,
    /// Passing this many body bytes through.
    Body(u64),
    /// Passing everything through (after a chunked body).
    Through,
    /// After a refusal: dropping the rest.
    Discard,
}

/// A connection's socket with the guard in front of its reads; writes go straight through.
pub struct Guarded<IO> {
    io: IO,
    state: State,
    /// Read from the socket, not yet judged.
    pending: Vec<u8>,
    /// Judged, not yet handed to the parser (from `ready_pos`).
    ready: Vec<u8>,
    ready_pos: usize,
    eof: bool,
}

impl<IO> Guarded<IO> {
    pub fn new(io: IO) -> Self {
        Guarded { io, state: State::Head, pending: Vec::new(), ready: Vec::new(), ready_pos: 0, eof: false }
    }

    fn release(&mut self, n: usize) {
        self.ready.extend(self.pending.drain(..n));
    }

    fn refuse(&mut self, refusal: Refusal) {
        tracing::info!(?refusal, "request head refused before parsing");
        self.ready.extend_from_slice(
            format!("GET {} HTTP/1.1\r\nHost: refused.invalid\r\nConnection: close\r\n\r\n", refusal.path()).as_bytes(),
        );
        self.pending.clear();
        self.state = State::Discard;
    }

    /// Moves what can be judged from `pending` to `ready`.
    fn judge(&mut self) {
        loop {
            match self.state {
                State::Through => return self.release(self.pending.len()),
                State::Discard => return self.pending.clear(),
                State::Body(n) => {
                    let k = (n.min(self.pending.len() as u64)) as usize;
                    self.release(k);
                    let left = n - k as u64;
                    self.state = if left == 0 { State::Head } else { State::Body(left) };
                    if left > 0 || self.pending.is_empty() {
                        return;
                    }
                }
                State::Head => {
                    if self.pending.is_empty() {
                        return;
                    }
                    match head_end(&self.pending) {
                        Some(end) => match check(&self.pending[..end], true) {
                            Err(refusal) => return self.refuse(refusal),
                            Ok(next) => {
                                self.release(end);
                                self.state = next;
                            }
                        },
                        None => {
                            if let Err(refusal) = check(&self.pending, false) {
                                self.refuse(refusal);
                            }
                            // An incomplete head at the end of input goes to the parser as
                            // it is (it answers it or waits for more).
                            if self.eof {
                                self.release(self.pending.len());
                            }
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// The end (exclusive) of the head at the start of `buf`: after the empty line (CRLF or LF).
fn head_end(buf: &[u8]) -> Option<usize> {
    let mut from = 0;
    // Empty lines before a request line are allowed (RFC 9112 2.2); they are not its end.
    while buf[from..].starts_with(b"\r\n") || buf[from..].starts_with(b"\n") {
        from += if buf[from] == b'\r' { 2 } else { 1 };
    }
    let mut i = from;
    while let Some(p) = buf[i..].iter().position(|&b| b == b'\n') {
        let nl = i + p;
        match buf.get(nl + 1) {
            Some(b'\n') => return Some(nl + 2),
            Some(b'\r') if buf.get(nl + 2) == Some(&b'\n') => return Some(nl + 3),
            Some(b'\r') if nl + 2 == buf.len() => return None,
            None => return None,
            _ => i = nl + 1,
        }
    }
    None
}

/// Judges a head (complete, or the start of one): a refusal, or the state after it.
fn check(head: &[u8], complete: bool) -> Result<State, Refusal> {
    let line = head.iter().position(|&b| b == b'\n');
    let line_len = line.map_or(head.len(), |p| p + 1);
    if line_len > LINE_LIMIT {
        return Err(Refusal::Uri(line_len));
    }
    if head.len() > HEAD_LIMIT {
        return Err(Refusal::Head(head.len()));
    }
    let fields = head.iter().filter(|&&b| b == b'\n').count().saturating_sub(if complete { 2 } else { 1 });
    if fields > MAX_FIELDS {
        return Err(Refusal::Fields(fields));
    }
    if !complete {
        return Ok(State::Head);
    }
    let mut length: u64 = 0;
    for field in head.split(|&b| b == b'\n').skip(1) {
        let Some(colon) = field.iter().position(|&b| b == b':') else { continue };
        let (name, value) = (&field[..colon], &field[colon + 1..]);
        if name.eq_ignore_ascii_case(b"transfer-encoding") {
            return Ok(State::Through);
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            match std::str::from_utf8(value).ok().and_then(|v| v.trim().parse::<u64>().ok()) {
                Some(n) => length = n,
                // The parser refuses it; nothing after it is read as a head here.
                None => return Ok(State::Through),
            }
        }
    }
    Ok(if length == 0 { State::Head } else { State::Body(length) })
}

impl<IO: AsyncRead + Unpin> AsyncRead for Guarded<IO> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.ready_pos < this.ready.len() {
                let n = buf.remaining().min(this.ready.len() - this.ready_pos);
                buf.put_slice(&this.ready[this.ready_pos..this.ready_pos + n]);
                this.ready_pos += n;
                if this.ready_pos == this.ready.len() {
                    this.ready.clear();
                    this.ready_pos = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            // Passing through with nothing held back: read straight into the parser's buffer.
            if this.state == State::Through && this.pending.is_empty() {
                return Pin::new(&mut this.io).poll_read(cx, buf);
            }
            let mut chunk = [0u8; CHUNK];
            let mut rb = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.io).poll_read(cx, &mut rb) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {
                    if rb.filled().is_empty() {
                        this.eof = true;
                    } else {
                        this.pending.extend_from_slice(rb.filled());
                    }
                    this.judge();
                }
            }
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Guarded<IO> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// What the parser reads when the client sends `input` and closes.
    async fn parsed(input: &[u8]) -> Vec<u8> {
        let (mut client, server) = tokio::io::duplex(1 << 20);
        client.write_all(input).await.unwrap();
        drop(client);
        let mut out = Vec::new();
        Guarded::new(server).read_to_end(&mut out).await.unwrap();
        out
    }

    fn stand_in(out: &[u8]) -> Option<Refusal> {
        let text = String::from_utf8_lossy(out);
        let path = text.lines().find(|l| l.starts_with("GET /.refused/"))?.split(' ').nth(1)?.to_owned();
        Refusal::from_path(&path)
    }

    #[tokio::test]
    async fn ordinary_requests_and_bodies_pass_unchanged() {
        let body = "{\"x\": \"\r\n\r\nGET / HTTP/1.1\"}";
        let input = format!(
            "GET /v1/topics HTTP/1.1\r\nHost: a\r\n\r\n\
             POST /v1/locations HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\n\r\n{body}\
             \r\nGET /v1/b HTTP/1.1\nHost: a\n\n",
            body.len()
        );
        assert_eq!(parsed(input.as_bytes()).await, input.as_bytes());
    }

    #[tokio::test]
    async fn a_huge_target_is_replaced_by_a_stand_in_and_the_rest_dropped() {
        let first = b"GET /v1/topics HTTP/1.1\r\nHost: a\r\n\r\n".to_vec();
        let mut input = first.clone();
        input.extend_from_slice(
            format!("GET /v1/locations?q={} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(100_000)).as_bytes(),
        );
        input.extend_from_slice(b"GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
        let out = parsed(&input).await;
        assert!(out.starts_with(&first), "the request before it is kept");
        assert!(matches!(stand_in(&out), Some(Refusal::Uri(n)) if n > LINE_LIMIT), "{}", String::from_utf8_lossy(&out));
        assert!(!String::from_utf8_lossy(&out).contains("/after"), "nothing after a refusal");
    }

    #[tokio::test]
    async fn too_many_fields_and_too_large_heads_are_refused() {
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..100 {
            many.extend_from_slice(format!("X-F{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(stand_in(&parsed(&many).await), Some(Refusal::Fields(100)));
        let large = format!("GET / HTTP/1.1\r\nX-A: {}\r\nX-B: {}\r\n\r\n", "a".repeat(20_000), "b".repeat(20_000));
        assert!(matches!(stand_in(&parsed(large.as_bytes()).await), Some(Refusal::Head(_))));
        // Within the limits the middleware judges (exact sizes): passed through.
        let within = format!("GET /?q={} HTTP/1.1\r\nX-A: {}\r\n\r\n", "q".repeat(MAX_URI_BYTES), "a".repeat(10_000));
        assert_eq!(parsed(within.as_bytes()).await, within.as_bytes());
    }

    #[tokio::test]
    async fn a_body_that_looks_like_a_head_is_not_judged_and_chunked_bodies_pass() {
        let body = format!("GET /?q={} HTTP/1.1\r\n\r\n", "a".repeat(20_000));
        let input = format!("POST /x HTTP/1.1\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        assert_eq!(parsed(input.as_bytes()).await, input.as_bytes());
        let chunked = format!("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n{body}");
        assert_eq!(parsed(chunked.as_bytes()).await, chunked.as_bytes());
    }

    #[test]
    fn the_refusal_path_needs_the_secret() {
        assert_eq!(Refusal::from_path(&Refusal::Uri(70_000).path()), Some(Refusal::Uri(70_000)));
        assert_eq!(Refusal::from_path("/.refused/0000000000000000/uri/5"), None);
    }
}

//! Byte-stream plumbing for the proxy: an idle timeout on client connections, a
//! reader that remembers what the TLS acceptor consumed (so a connection we decide
//! not to intercept can still be passed on untouched), and the raw tunnel.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Any byte stream the proxy can speak HTTP or TLS over.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Fails reads and writes with `TimedOut` once nothing has moved in either direction
/// for `timeout`, so abandoned connections do not hold a connection slot forever.
pub(crate) struct IdleIo<T> {
    inner: T,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl<T> IdleIo<T> {
    pub(crate) fn new(inner: T, timeout: Duration) -> Self {
        IdleIo {
            inner,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
        }
    }

    fn touch(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.timeout);
    }

    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.deadline.as_mut().poll(cx).is_ready()
    }
}

fn idle_error() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection idle too long")
}

impl<T: AsyncRead + Unpin> AsyncRead for IdleIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                this.touch();
                Poll::Ready(r)
            }
            Poll::Pending if this.expired(cx) => Poll::Ready(Err(idle_error())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for IdleIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(r) => {
                this.touch();
                Poll::Ready(r)
            }
            Poll::Pending if this.expired(cx) => Poll::Ready(Err(idle_error())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Keeps a copy of the first bytes read (up to a limit) until told to stop, so what
/// the TLS acceptor consumed can be replayed to a server if we end up tunnelling.
pub(crate) struct Replay<T> {
    inner: T,
    kept: Vec<u8>,
    limit: usize,
    recording: bool,
    overflowed: bool,
}

impl<T> Replay<T> {
    pub(crate) fn new(inner: T, limit: usize) -> Self {
        Replay {
            inner,
            kept: Vec::new(),
            limit,
            recording: true,
            overflowed: false,
        }
    }

    /// Stops recording and frees what was kept.
    pub(crate) fn stop(&mut self) {
        self.recording = false;
        self.kept = Vec::new();
    }

    /// The bytes read so far, or `None` if more than the limit was read.
    pub(crate) fn into_parts(self) -> (T, Option<Vec<u8>>) {
        let kept = (!self.overflowed).then_some(self.kept);
        (self.inner, kept)
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Replay<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if this.recording
            && let Poll::Ready(Ok(())) = r
        {
            let new = &buf.filled()[before..];
            if this.kept.len() + new.len() > this.limit {
                this.overflowed = true;
                this.recording = false;
                this.kept = Vec::new();
            } else {
                this.kept.extend_from_slice(new);
            }
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Replay<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Copies bytes both ways until either side closes; `first` is sent to the server
/// before anything else (bytes already read from the client).
pub(crate) async fn tunnel<C, S>(mut client: C, mut server: S, first: &[u8]) -> io::Result<()>
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    if !first.is_empty() {
        server.write_all(first).await?;
    }
    tokio::io::copy_bidirectional(&mut client, &mut server)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt as _;

    #[tokio::test]
    async fn replay_keeps_what_was_read_until_the_limit() {
        let (mut a, b) = tokio::io::duplex(64);
        a.write_all(b"hello").await.unwrap();
        let mut r = Replay::new(b, 8);
        let mut buf = [0u8; 5];
        r.read_exact(&mut buf).await.unwrap();
        let (_, kept) = r.into_parts();
        assert_eq!(kept.as_deref(), Some(&b"hello"[..]));

        let (mut a, b) = tokio::io::duplex(64);
        a.write_all(b"0123456789").await.unwrap();
        let mut r = Replay::new(b, 8);
        let mut buf = [0u8; 10];
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(r.into_parts().1, None);
    }

    #[tokio::test]
    async fn idle_connections_time_out() {
        let (_a, b) = tokio::io::duplex(64);
        let mut idle = IdleIo::new(b, Duration::from_millis(50));
        let mut buf = [0u8; 1];
        let err = idle.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}

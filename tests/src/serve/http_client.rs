//! A raw HTTP/1.1 client over `TcpStream`, so tests control every byte sent (huge headers,
//! bad UTF-8, HTTP/1.0, pipelining) and see every byte answered.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long a test waits for any answer before failing.
pub const READ_TIMEOUT: Duration = Duration::from_secs(15);

/// One parsed response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub version: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The first header of that name (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {self:?}"))
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
    stream
        .set_read_timeout(Some(READ_TIMEOUT))
        .expect("read timeout");
    stream
}

/// Sends `raw` on a new connection and reads one response.
pub fn exchange(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut stream = connect(addr);
    stream.write_all(raw).expect("send the request");
    let mut reader = BufReader::new(stream);
    read_reply(&mut reader, false)
        .expect("read the response")
        .expect("a response before the connection closed")
}

/// `METHOD TARGET HTTP/1.1` with Host, an optional bearer token, extra header lines and a
/// body, the connection closed after it.
pub fn request(
    method: &str,
    target: &str,
    token: Option<&str>,
    extra: &[&str],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: latchkey.test\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    for line in extra {
        head.push_str(line);
        head.push_str("\r\n");
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut raw = head.into_bytes();
    raw.extend_from_slice(body);
    raw
}

pub fn get(addr: SocketAddr, target: &str, token: Option<&str>) -> Reply {
    exchange(addr, &request("GET", target, token, &[], b""))
}

/// `GET /v1/verify?system=SYSTEM` with the token as a bearer token.
pub fn verify(addr: SocketAddr, system: &str, token: Option<&str>) -> Reply {
    get(addr, &format!("/v1/verify?system={system}"), token)
}

/// `POST PATH` with a form body.
pub fn post_form(addr: SocketAddr, path: &str, token: Option<&str>, form: &str) -> Reply {
    let content_type = "Content-Type: application/x-www-form-urlencoded";
    exchange(
        addr,
        &request("POST", path, token, &[content_type], form.as_bytes()),
    )
}

/// Reads one response; None when the connection closed before a status line. `head_only`
/// for the answer to a HEAD request (no body whatever the length says).
pub fn read_reply(reader: &mut impl BufRead, head_only: bool) -> std::io::Result<Option<Reply>> {
    let mut status_line = String::new();
    if reader.read_line(&mut status_line)? == 0 {
        return Ok(None);
    }
    let mut parts = status_line.trim_end().splitn(3, ' ');
    let version = parts.next().unwrap_or_default().to_string();
    let status = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a status line: {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("a header line");
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let mut reply = Reply {
        version,
        status,
        headers,
        body: Vec::new(),
    };
    if head_only || status == 204 || status == 304 || (100..200).contains(&status) {
        return Ok(Some(reply));
    }
    if let Some(length) = reply.header("content-length") {
        let length: usize = length.parse().expect("a length");
        reply.body.resize(length, 0);
        reader.read_exact(&mut reply.body)?;
    } else if reply
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        reply.body = read_chunked(reader)?;
    } else {
        reader.read_to_end(&mut reply.body)?;
    }
    Ok(Some(reply))
}

fn read_chunked(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
            .expect("a chunk size");
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk)?;
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

/// True when the server closes the connection within `wait` (end of file, or a reset).
pub fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    stream.set_read_timeout(Some(wait)).expect("read timeout");
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
        ),
    }
}

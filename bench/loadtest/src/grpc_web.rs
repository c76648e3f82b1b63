//! gRPC-Web binary frames: the request loadtest sends, the response the bare
//! handler answers, and the checks on a server's answer.

use anyhow::{Context, bail, ensure};
use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue};
use prost::Message;
use proto::greeter::{HelloReply, HelloRequest};

/// Flag of an uncompressed message frame.
pub const MESSAGE: u8 = 0x00;
/// Flag of an uncompressed trailer frame.
pub const TRAILERS: u8 = 0x80;

/// The request body: one uncompressed data frame holding `HelloRequest { name }`.
pub fn request_body(name: &str) -> Bytes {
    frame(
        MESSAGE,
        &HelloRequest {
            name: name.to_owned(),
        }
        .encode_to_vec(),
    )
}

/// A whole successful response body: the reply's data frame, then the
/// trailer frame with `grpc-status: 0` (in tonic-web's spelling).
pub fn response_body(message: &str) -> Bytes {
    let mut body = BytesMut::new();
    body.extend_from_slice(&frame(
        MESSAGE,
        &HelloReply {
            message: message.to_owned(),
        }
        .encode_to_vec(),
    ));
    body.extend_from_slice(&frame(TRAILERS, b"grpc-status:0\r\ngrpc-message:\r\n"));
    body.freeze()
}

/// The greeting in a response body: a reply frame, then trailers with
/// `grpc-status` 0. Otherwise the reason, with the status and message when
/// the server sent them.
pub fn greeting(body: &[u8]) -> anyhow::Result<String> {
    let (flag, payload, rest) = split(body).context("no whole frame in the body")?;
    if flag == TRAILERS {
        // A trailers-only answer: an error, with its status.
        check_status(&trailers(payload)?)?;
        bail!("trailers without a reply");
    }
    ensure!(
        flag == MESSAGE,
        "frame flag {flag:#04x}: not an uncompressed message"
    );
    let reply = HelloReply::decode(payload).context("the reply does not decode")?;
    let (flag, payload, _) = split(rest).context("no trailer frame after the reply")?;
    ensure!(
        flag == TRAILERS,
        "frame flag {flag:#04x} after the reply: not trailers"
    );
    check_status(&trailers(payload)?)?;
    Ok(reply.message)
}

/// The trailers in a trailer frame's payload.
///
/// The gRPC-Web spec encodes them as an HTTP/1 header block: `name: value`
/// lines ending in CRLF, names in any case, optional whitespace around the
/// value (tonic-web writes `grpc-status:0`, Connect `grpc-status: 0`).
/// httparse (hyper's parser) reads the lines and `http` checks each name and
/// value, so they are read exactly as response headers are.
pub fn trailers(payload: &[u8]) -> anyhow::Result<HeaderMap> {
    // httparse wants the empty line that closes a header block; a trailer
    // frame ends with the last line's CRLF (some servers omit even that).
    let mut block = payload.to_vec();
    if !block.is_empty() && !block.ends_with(b"\n") {
        block.extend_from_slice(b"\r\n");
    }
    block.extend_from_slice(b"\r\n");
    let mut lines = [httparse::EMPTY_HEADER; 64];
    let httparse::Status::Complete((read, lines)) = httparse::parse_headers(&block, &mut lines)
        .context("the trailer frame is not a header block")?
    else {
        bail!("the trailer frame is not a whole header block");
    };
    ensure!(
        read == block.len(),
        "an empty line inside the trailer frame"
    );
    let mut trailers = HeaderMap::with_capacity(lines.len());
    for line in lines {
        trailers.append(
            HeaderName::from_bytes(line.name.as_bytes())?,
            HeaderValue::from_bytes(line.value)?,
        );
    }
    Ok(trailers)
}

/// Ok when `headers` hold exactly one `grpc-status`, and it is 0.
pub fn check_status(headers: &HeaderMap) -> anyhow::Result<()> {
    let mut statuses = headers.get_all("grpc-status").iter();
    let (Some(status), None) = (statuses.next(), statuses.next()) else {
        bail!("not exactly one grpc-status");
    };
    let status = status.to_str().unwrap_or("(not text)").trim();
    if status != "0" {
        let message = headers
            .get("grpc-message")
            .and_then(|m| m.to_str().ok())
            .unwrap_or("");
        bail!("grpc-status {status}: {message}");
    }
    Ok(())
}

/// One frame: its flag, its payload's length, its payload.
pub fn frame(flag: u8, payload: &[u8]) -> Bytes {
    let mut frame = BytesMut::with_capacity(5 + payload.len());
    frame.put_u8(flag);
    frame.put_u32(u32::try_from(payload.len()).expect("a frame under 4 GiB"));
    frame.put_slice(payload);
    frame.freeze()
}

/// The first frame in `body`: (flag, payload, what follows).
fn split(body: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let len = u32::from_be_bytes(body.get(1..5)?.try_into().ok()?) as usize;
    let payload = body.get(5..5usize.checked_add(len)?)?;
    Some((body[0], payload, &body[5 + len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply frame for "Hello n", then a trailer frame holding `trailers`.
    fn answer(trailers: &[u8]) -> Vec<u8> {
        let mut body = frame(
            MESSAGE,
            &HelloReply {
                message: "Hello n".into(),
            }
            .encode_to_vec(),
        )
        .to_vec();
        body.extend_from_slice(&frame(TRAILERS, trailers));
        body
    }

    fn greets(trailers: &[u8]) -> bool {
        greeting(&answer(trailers)).as_deref().ok() == Some("Hello n")
    }

    fn greets_with_none(blocks: &[&[u8]]) {
        for block in blocks {
            assert!(!greets(block), "{:?}", String::from_utf8_lossy(block));
        }
    }

    #[test]
    fn reads_the_bare_handlers_own_answer() {
        assert_eq!(greeting(&response_body("Hello x")).unwrap(), "Hello x");
    }

    #[test]
    fn accepts_status_zero_with_or_without_whitespace() {
        assert!(greets(b"grpc-status:0\r\ngrpc-message:\r\n"), "tonic-web");
        assert!(greets(b"grpc-status: 0\r\n"), "Connect");
        assert!(greets(b"grpc-status:\t0 \r\n"), "tab before, space after");
        assert!(greets(b"grpc-status: 0"), "no CRLF after the last line");
    }

    #[test]
    fn accepts_names_in_any_case() {
        assert!(greets(b"Grpc-Status: 0\r\nGrpc-Message: \r\n"));
        assert!(greets(b"GRPC-STATUS:0\r\n"));
    }

    #[test]
    fn accepts_other_trailers_around_the_status() {
        assert!(greets(
            b"x-request-id: 7f3a\r\ngrpc-status: 0\r\ngrpc-message: \r\ntrace-bin: AAEC\r\n"
        ));
    }

    #[test]
    fn refuses_any_other_status() {
        greets_with_none(&[
            b"grpc-status: 14\r\ngrpc-message: unavailable\r\n",
            b"grpc-status: 10\r\n",
            b"grpc-status: 00\r\n",
            b"grpc-status: 0 0\r\n",
            b"grpc-status: \r\n",
        ]);
        let error = greeting(&answer(b"grpc-status: 14\r\ngrpc-message: unavailable\r\n"))
            .unwrap_err()
            .to_string();
        assert_eq!(error, "grpc-status 14: unavailable");
    }

    #[test]
    fn refuses_a_missing_repeated_or_lookalike_status() {
        greets_with_none(&[
            b"",
            b"grpc-message: ok\r\n",
            b"x-grpc-status: 0\r\n",
            b"grpc-status-details: 0\r\n",
            b"grpc-status: 0\r\ngrpc-status: 0\r\n",
            b"grpc-status: 0\r\nGrpc-Status: 2\r\n",
        ]);
    }

    #[test]
    fn refuses_a_block_that_is_not_header_lines() {
        greets_with_none(&[
            b"grpc-status 0\r\n",
            b"grpc status: 0\r\n",
            b": 0\r\n",
            b"grpc-status: 0\r\n\r\ngrpc-status: 1\r\n",
        ]);
    }

    #[test]
    fn refuses_bodies_without_reply_or_trailers() {
        let reply_only = frame(MESSAGE, &HelloReply::default().encode_to_vec());
        assert!(greeting(&reply_only).is_err());
        assert!(greeting(&frame(TRAILERS, b"grpc-status: 0\r\n")).is_err());
        assert!(greeting(&answer(b"grpc-status: 0\r\n")[..7]).is_err());
        assert!(greeting(b"").is_err());
    }

    #[test]
    fn names_the_status_of_a_trailers_only_answer() {
        let error = greeting(&frame(
            TRAILERS,
            b"grpc-status: 3\r\ngrpc-message: empty\r\n",
        ))
        .unwrap_err()
        .to_string();
        assert_eq!(error, "grpc-status 3: empty");
    }
}

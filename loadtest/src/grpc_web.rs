//! gRPC-Web binary frames, by hand.

use bytes::{BufMut, Bytes, BytesMut};
use prost::Message;
use proto::greeter::{HelloReply, HelloRequest};

/// The request body: one uncompressed data frame holding `HelloRequest { name }`.
pub fn request_body(name: &str) -> Bytes {
    frame(
        0x00,
        &HelloRequest {
            name: name.to_owned(),
        }
        .encode_to_vec(),
    )
}

/// A whole successful response body: the reply's data frame, then the
/// trailer frame with `grpc-status: 0`.
pub fn response_body(message: &str) -> Bytes {
    let mut body = BytesMut::new();
    body.extend_from_slice(&frame(
        0x00,
        &HelloReply {
            message: message.to_owned(),
        }
        .encode_to_vec(),
    ));
    body.extend_from_slice(&frame(0x80, b"grpc-status:0\r\ngrpc-message:\r\n"));
    body.freeze()
}

/// The greeting in a response body, if it holds a reply and `grpc-status: 0`.
pub fn greeting(body: &[u8]) -> Option<String> {
    let (flag, payload, rest) = split(body)?;
    if flag != 0x00 {
        return None;
    }
    let reply = HelloReply::decode(payload).ok()?;
    let (trailer_flag, trailers, _) = split(rest)?;
    let ok = trailer_flag == 0x80
        && std::str::from_utf8(trailers)
            .ok()?
            .lines()
            .any(|l| l.trim() == "grpc-status:0");
    ok.then_some(reply.message)
}

fn frame(flag: u8, payload: &[u8]) -> Bytes {
    let mut frame = BytesMut::with_capacity(5 + payload.len());
    frame.put_u8(flag);
    frame.put_u32(payload.len() as u32);
    frame.put_slice(payload);
    frame.freeze()
}

fn split(body: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let len = u32::from_be_bytes(body.get(1..5)?.try_into().ok()?) as usize;
    let payload = body.get(5..5 + len)?;
    Some((body[0], payload, &body[5 + len..]))
}

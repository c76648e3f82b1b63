//! A wasm module without its name section: what trunk ships, from the
//! module with names that twiggy reads.

use anyhow::{Context, bail, ensure};

/// `module` without its `name` custom section.
pub fn without_names(module: &[u8]) -> anyhow::Result<Vec<u8>> {
    ensure!(module.starts_with(b"\0asm"), "not a wasm module");
    let mut out = module[..8].to_vec();
    let mut at = 8;
    while at < module.len() {
        let start = at;
        let id = module[at];
        let (len, body) = leb128(module, at + 1)?;
        let end = body + len;
        ensure!(end <= module.len(), "a section runs past the module's end");
        let is_names = id == 0 && {
            let (name_len, name) = leb128(module, body)?;
            module.get(name..name + name_len) == Some(b"name")
        };
        if !is_names {
            out.extend_from_slice(&module[start..end]);
        }
        at = end;
    }
    Ok(out)
}

/// The unsigned LEB128 number at `at`, and where what follows it starts.
fn leb128(bytes: &[u8], mut at: usize) -> anyhow::Result<(usize, usize)> {
    let mut value = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes
            .get(at)
            .context("a number runs past the module's end")?;
        at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
    }
    bail!("a number longer than 5 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_section_alone_is_dropped() {
        // Magic and version, a custom "name" section, a custom "producers" one.
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.extend([0, 6, 4]);
        module.extend(b"name\xAA");
        let producers = [&[0u8, 10, 9][..], b"producers"].concat();
        module.extend(&producers);
        let stripped = without_names(&module).unwrap();
        assert_eq!(stripped, [&b"\0asm\x01\0\0\0"[..], &producers].concat());
    }
}

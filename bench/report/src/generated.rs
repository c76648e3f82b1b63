//! The generated blocks of BENCHMARKS.md: what lies between
//! `<!-- generated: NAME -->` and the next `<!-- /generated -->`. The
//! report rewrites these and leaves everything else, the prose, as written.

use anyhow::{Context, bail};

/// Where a block's text ends.
const END: &str = "<!-- /generated -->";

/// The comment a block named `name` starts after.
fn start(name: &str) -> String {
    format!("<!-- generated: {name} -->")
}

/// `md` with the text of each block in `blocks` (name, text) replaced;
/// every named block must be in `md`, once.
pub fn splice(md: &str, blocks: &[(&str, String)]) -> anyhow::Result<String> {
    let mut md = md.to_owned();
    for (name, text) in blocks {
        let start = start(name);
        let (Some(at), 1) = (md.find(&start), md.matches(&start).count()) else {
            bail!("BENCHMARKS.md needs exactly one `{start}` … `{END}` block");
        };
        let body = at + start.len();
        let end = body
            + md[body..]
                .find(END)
                .with_context(|| format!("`{start}` has no `{END}` after it"))?;
        md.replace_range(body..end, &format!("\n{}\n", text.trim()));
    }
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_blocks_change() {
        let md = "# B\n\nprose\n\n<!-- generated: a -->\nold a\n<!-- /generated -->\n\nmore prose\n\n\
                  <!-- generated: b -->\nold b\n<!-- /generated -->\n";
        let new = splice(md, &[("b", "new b\n\n".to_owned())]).unwrap();
        assert_eq!(
            new,
            "# B\n\nprose\n\n<!-- generated: a -->\nold a\n<!-- /generated -->\n\nmore prose\n\n\
             <!-- generated: b -->\nnew b\n<!-- /generated -->\n"
        );
    }

    #[test]
    fn a_missing_or_repeated_block_is_refused() {
        let once = "<!-- generated: a -->\nx\n<!-- /generated -->\n";
        assert!(splice(once, &[("b", String::new())]).is_err());
        assert!(splice(&once.repeat(2), &[("a", String::new())]).is_err());
        assert!(splice("<!-- generated: a -->\nx\n", &[("a", String::new())]).is_err());
    }
}

//! Reading the bytes of a GloVe source: a plain file (memory-mapped), a
//! `.gz` (decompressed into memory), or one member of a `.zip` such as
//! `glove.6B.zip` (decompressed into memory).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{CoreError, Result};

/// Bytes of a GloVe file, memory-mapped or decompressed.
pub(super) enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// The members of a zip archive, in archive order.
pub fn zip_members(path: &Path) -> Result<Vec<String>> {
    let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
    let archive = zip::ZipArchive::new(file)
        .map_err(|e| CoreError::malformed(path, 0, format!("not a readable zip archive ({e})")))?;
    archive
        .file_names()
        .map(|name| {
            name.map(|n| n.into_owned())
                .map_err(|e| CoreError::malformed(path, 0, format!("bad zip member name ({e})")))
        })
        .collect()
}

/// Pick the GloVe member of a zip: the one named, else the `*.{dim}d.txt` one,
/// else the only `.txt` member.
pub fn choose_zip_member(
    path: &Path,
    members: &[String],
    member: Option<&str>,
    dim: Option<usize>,
) -> Result<String> {
    if let Some(name) = member {
        return if members.iter().any(|m| m == name) {
            Ok(name.to_owned())
        } else {
            Err(CoreError::invalid(format!(
                "{} has no member {name:?}. Members: {members:?}",
                path.display()
            )))
        };
    }
    let txt: Vec<&String> = members.iter().filter(|m| m.ends_with(".txt")).collect();
    if let Some(d) = dim {
        let suffix = format!(".{d}d.txt");
        let hits: Vec<&&String> = txt.iter().filter(|m| m.ends_with(&suffix)).collect();
        if let [one] = hits.as_slice() {
            return Ok((**one).clone());
        }
    }
    match txt.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(CoreError::invalid(format!(
            "{} holds several GloVe files; pass dim= or name the member as 'archive.zip::member'. \
             Received: dim={dim:?}, members={members:?}",
            path.display()
        ))),
    }
}

/// Read the bytes of a GloVe source: a `.zip` member, a `.gz`, or a plain file
/// (memory-mapped). `label` is the name used in error messages.
pub(super) fn read_source(
    path: &Path,
    member: Option<&str>,
    dim: Option<usize>,
) -> Result<(Bytes, PathBuf)> {
    let name = path.to_string_lossy().to_lowercase();
    if name.ends_with(".zip") || member.is_some() {
        let members = zip_members(path)?;
        let chosen = choose_zip_member(path, &members, member, dim)?;
        let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
        let mut archive = zip::ZipArchive::new(file).map_err(|e| {
            CoreError::malformed(path, 0, format!("not a readable zip archive ({e})"))
        })?;
        let label = PathBuf::from(format!("{}::{chosen}", path.display()));
        let mut entry = archive
            .by_name(&chosen)
            .map_err(|e| CoreError::malformed(&label, 0, format!("cannot open member ({e})")))?;
        let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .read_to_end(&mut out)
            .map_err(|e| CoreError::malformed(&label, 0, format!("corrupt zip member ({e})")))?;
        return Ok((Bytes::Owned(out), label));
    }
    let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
    if name.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(1 << 20, file))
            .read_to_end(&mut out)
            .map_err(|e| {
                CoreError::malformed(path, 0, format!("corrupt or truncated gzip data ({e})"))
            })?;
        return Ok((Bytes::Owned(out), path.to_path_buf()));
    }
    let meta = file.metadata().map_err(|e| CoreError::io(path, e))?;
    if meta.len() == 0 {
        return Ok((Bytes::Owned(Vec::new()), path.to_path_buf()));
    }
    // `populate` pre-faults the pages in one kernel call (much cheaper than a
    // page fault per 4 KiB while parsing).
    // SAFETY: the map is read-only and lives only for this call; a file changed
    // underneath us by another process could give wrong numbers, never UB in
    // safe code that only reads bytes.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }
        .map_err(|e| CoreError::io(path, e))?;
    Ok((Bytes::Mapped(map), path.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_member_choice() -> Result<()> {
        let m: Vec<String> = ["glove.6B.50d.txt", "glove.6B.100d.txt"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let p = Path::new("g.zip");
        assert_eq!(
            choose_zip_member(p, &m, None, Some(100))?,
            "glove.6B.100d.txt"
        );
        assert_eq!(
            choose_zip_member(p, &m, Some("glove.6B.50d.txt"), None)?,
            "glove.6B.50d.txt"
        );
        assert!(choose_zip_member(p, &m, None, None).is_err());
        assert!(choose_zip_member(p, &m, Some("nope.txt"), None).is_err());
        Ok(())
    }
}

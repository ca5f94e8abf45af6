//! Where the bytes of a GloVe file come from: a plain file, a `.gz`, or one
//! member of a `.zip` such as `glove.6B.zip`. Every source is read as a
//! stream (see `stream`), with plain `read` calls: nothing is memory-mapped
//! (a mapped file that shrinks while it is parsed kills the process with
//! `SIGBUS`), nothing is decompressed whole into memory, and no size a zip
//! or gzip header declares is used to allocate anything.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::error::{CoreError, Result};

/// At most this many names are listed in an error message about a zip's
/// members (an archive may hold any number of them).
const NAMES_SHOWN: usize = 8;

/// A readable GloVe source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Source {
    /// A plain text file.
    Plain(PathBuf),
    /// A gzip file (one or several members).
    Gzip(PathBuf),
    /// One member of a zip archive.
    ZipMember { path: PathBuf, member: String },
    /// Bytes in memory (for tests and fuzzing: the streaming path without a
    /// file); `label` names them in errors.
    Memory { bytes: Vec<u8>, label: PathBuf },
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

/// `names` for an error message: all of them when there are few, else the
/// first few and how many there are in all.
pub(crate) fn some_names<S: AsRef<str>>(names: &[S]) -> String {
    let shown: Vec<&str> = names.iter().take(NAMES_SHOWN).map(AsRef::as_ref).collect();
    if names.len() <= NAMES_SHOWN {
        format!("{shown:?}")
    } else {
        format!("{} names, the first {NAMES_SHOWN}: {shown:?}", names.len())
    }
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
                "{} has no member {name:?}. Members: {}",
                path.display(),
                some_names(members)
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
        [] => Err(CoreError::invalid(format!(
            "{} holds no .txt member; name the member as 'archive.zip::member'. \
             Received: members={}",
            path.display(),
            some_names(members)
        ))),
        _ => Err(CoreError::invalid(format!(
            "{} holds several GloVe files; pass dim= or name the member as \
             'archive.zip::member'. Received: dim={dim:?}, .txt members={}",
            path.display(),
            some_names(&txt)
        ))),
    }
}

impl Source {
    /// The source at `path`: a `.zip` (or any file with a `member`) read
    /// through its chosen member, a `.gz`, or a plain file.
    pub(super) fn resolve(path: &Path, member: Option<&str>, dim: Option<usize>) -> Result<Self> {
        let name = path.to_string_lossy().to_lowercase();
        if name.ends_with(".zip") || member.is_some() {
            let members = zip_members(path)?;
            let member = choose_zip_member(path, &members, member, dim)?;
            return Ok(Source::ZipMember {
                path: path.to_path_buf(),
                member,
            });
        }
        // Fail early, on the calling thread, if the file cannot be opened.
        File::open(path).map_err(|e| CoreError::io(path, e))?;
        Ok(if name.ends_with(".gz") {
            Source::Gzip(path.to_path_buf())
        } else {
            Source::Plain(path.to_path_buf())
        })
    }

    /// The name used in error messages (`archive.zip::member` for a member).
    pub(super) fn label(&self) -> PathBuf {
        match self {
            Source::Plain(path) | Source::Gzip(path) => path.clone(),
            Source::ZipMember { path, member } => {
                PathBuf::from(format!("{}::{member}", path.display()))
            }
            Source::Memory { label, .. } => label.clone(),
        }
    }

    /// The size of the text in bytes, when it is known without reading it
    /// (a plain file's or bytes in memory; never a size a header declares).
    pub(super) fn size(&self) -> Option<u64> {
        match self {
            Source::Plain(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            Source::Memory { bytes, .. } => Some(bytes.len() as u64),
            Source::Gzip(_) | Source::ZipMember { .. } => None,
        }
    }

    /// Open the source and hand its (decompressed) bytes to `read`.
    pub(super) fn with_reader<T>(&self, read: impl FnOnce(&mut dyn Read) -> T) -> Result<T> {
        match self {
            Source::Plain(path) => {
                let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
                let mut file = Unchanged::new(file).map_err(|e| CoreError::io(path, e))?;
                Ok(read(&mut file))
            }
            Source::Gzip(path) => {
                let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
                // bounded: a constant.
                let buffered = std::io::BufReader::with_capacity(1 << 20, file);
                Ok(read(&mut flate2::read::MultiGzDecoder::new(buffered)))
            }
            Source::ZipMember { path, member } => {
                let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
                let mut archive = zip::ZipArchive::new(file).map_err(|e| {
                    CoreError::malformed(path, 0, format!("not a readable zip archive ({e})"))
                })?;
                let mut entry = archive.by_name(member).map_err(|e| {
                    CoreError::malformed(self.label(), 0, format!("cannot open member ({e})"))
                })?;
                Ok(read(&mut entry))
            }
            Source::Memory { bytes, .. } => Ok(read(&mut &bytes[..])),
        }
    }

    /// The error for a read that failed after the source was opened.
    pub(super) fn read_error(&self, e: std::io::Error) -> CoreError {
        match self {
            Source::Plain(path) => CoreError::io(path, e),
            Source::Gzip(path) => {
                CoreError::malformed(path, 0, format!("corrupt or truncated gzip data ({e})"))
            }
            Source::ZipMember { .. } => {
                CoreError::malformed(self.label(), 0, format!("corrupt zip member ({e})"))
            }
            Source::Memory { label, .. } => CoreError::io(label, e),
        }
    }
}

/// A file read to its end that must not change meanwhile: at the end, its
/// size and modification time must still be those seen when it was opened,
/// and the bytes read must be its size. A file still being written (or
/// truncated) is then an error rather than a silently shorter table.
struct Unchanged {
    file: File,
    len: u64,
    modified: Option<SystemTime>,
    read: u64,
}

impl Unchanged {
    fn new(file: File) -> std::io::Result<Self> {
        let meta = file.metadata()?;
        Ok(Unchanged {
            len: meta.len(),
            modified: meta.modified().ok(),
            read: 0,
            file,
        })
    }
}

impl Read for Unchanged {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read += n as u64;
        if n == 0 && !buf.is_empty() {
            let meta = self.file.metadata()?;
            if meta.len() != self.len
                || meta.modified().ok() != self.modified
                || self.read != self.len
            {
                return Err(std::io::Error::other(format!(
                    "the file changed while it was read (it had {} bytes, now {}; {} were \
                     read): read it again once it is complete",
                    self.len,
                    meta.len(),
                    self.read
                )));
            }
        }
        Ok(n)
    }
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

    /// An archive of 100,000 members gives a short message.
    #[test]
    fn member_lists_in_messages_are_bounded() {
        let m: Vec<String> = (0..100_000).map(|i| format!("file{i}.txt")).collect();
        let p = Path::new("many.zip");
        for err in [
            choose_zip_member(p, &m, None, None),
            choose_zip_member(p, &m, Some("nope.txt"), None),
        ] {
            let message = err.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.len() < 400, "{message}");
            assert!(
                message.contains("100000 names, the first 8: [\"file0.txt\""),
                "{message}"
            );
        }
    }
}

//! Reading the labeled aclImdb reviews (`{train,test}/{pos,neg}/<id>_<rating>.txt`)
//! from an extracted directory or straight from the `.tar.gz`, without
//! extracting anything to disk.
//!
//! - **tar.gz**: gzip is decompressed as a stream (one core), the tar headers
//!   are parsed as they come and only review members are kept in memory; their
//!   UTF-8 is then validated on all cores.
//! - **directory**: the four class folders are listed and their files read
//!   and validated on all cores.
//!
//! Safety: an archive holding a member with an absolute path, a `..`
//! component, a symbolic or hard link, or a device/FIFO entry is refused as a
//! whole (nothing is extracted anyway); so is a directory whose class folders or
//! review files are symbolic links, unless [`ReadOptions::follow_symlinks`] is
//! set. Other files (`unsup/`, `README`, `*.feat`) are skipped. A review larger
//! than [`ReadOptions::max_review_bytes`] is an error raised while reading it,
//! before it is held in memory; sizes declared in tar headers are checked against
//! that limit and never trusted as allocation sizes.
//!
//! Order: split (train, test), then class (neg, pos), then file name (byte
//! order, the same as Python's `sorted` on str).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::error::{CoreError, Result};

/// The two labeled splits, in output order.
pub const SPLITS: [&str; 2] = ["train", "test"];
/// The two classes, in output order (label 0 = neg, 1 = pos).
pub const CLASSES: [&str; 2] = ["neg", "pos"];

/// The default limit on one review's size: 64 MiB (the largest aclImdb review
/// is about 14 KB).
pub const DEFAULT_MAX_REVIEW_BYTES: u64 = 64 << 20;

/// How a source is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Decode invalid UTF-8 with U+FFFD instead of failing.
    pub replace_invalid: bool,
    /// Largest review accepted, in bytes.
    pub max_review_bytes: u64,
    /// Directory sources only: read class folders and review files that are
    /// symbolic links (refused by default, as archives refuse links).
    pub follow_symlinks: bool,
    /// Directory sources only: threads reading review files (`None`:
    /// [`IO_THREADS`], more than cores since reads wait on the kernel; 1:
    /// read on the calling thread, with no pool).
    pub io_threads: Option<usize>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            replace_invalid: false,
            max_review_bytes: DEFAULT_MAX_REVIEW_BYTES,
            follow_symlinks: false,
            io_threads: None,
        }
    }
}

/// Bytes reserved up front for one member, whatever its header declares; the
/// read grows the buffer past it.
const RESERVE_CAP: u64 = 1 << 20;

fn too_large(origin: impl std::fmt::Display, size: u64, limit: u64) -> CoreError {
    CoreError::invalid(format!(
        "{origin}: the review is {size} bytes, more than max_review_bytes={limit}; \
         raise the limit to read it"
    ))
}

/// One review file.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// Index into [`SPLITS`].
    pub split: usize,
    /// 1 = pos, 0 = neg.
    pub label: u8,
    /// File name, e.g. `"123_8.txt"`.
    pub name: String,
    /// Review id from `<id>_<rating>.txt`, or -1 when the name has another form.
    pub id: i64,
    /// Star rating from `<id>_<rating>.txt`, or -1.
    pub rating: i64,
    /// The review text.
    pub text: String,
}

/// All labeled reviews of a source, sorted by split, class and file name.
#[derive(Debug, Clone, Default)]
pub struct ImdbFiles {
    pub reviews: Vec<Review>,
    /// Files that were not valid UTF-8 and were decoded with replacement characters.
    pub replaced: Vec<String>,
}

/// Undecoded review before UTF-8 validation.
struct RawReview {
    split: usize,
    label: u8,
    name: String,
    /// Path shown in errors.
    origin: String,
    bytes: Vec<u8>,
}

/// Parse `<id>_<rating>.txt` into (id, rating), or (-1, -1).
fn id_and_rating(name: &str) -> (i64, i64) {
    let stem = name.strip_suffix(".txt").unwrap_or(name);
    match stem.split_once('_') {
        Some((a, b)) => match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(id), Ok(r)) => (id, r),
            _ => (-1, -1),
        },
        None => (-1, -1),
    }
}

/// Classify a member path: `(split, label, file name)` for a review file.
fn review_slot(components: &[&str]) -> Option<(usize, u8, String)> {
    let [.., split, class, name] = components else {
        return None;
    };
    let s = SPLITS.iter().position(|x| x == split)?;
    let c = CLASSES.iter().position(|x| x == class)?;
    if !name.ends_with(".txt") {
        return None;
    }
    Some((s, u8::try_from(c).unwrap_or(0), (*name).to_string()))
}

/// Why a tar member is refused, if it is.
fn unsafe_reason(path: &Path, kind: tar::EntryType) -> Option<&'static str> {
    use tar::EntryType as E;
    match kind {
        E::Symlink => return Some("symbolic link"),
        E::Link => return Some("hard link"),
        E::Char | E::Block => return Some("device file"),
        E::Fifo => return Some("FIFO"),
        _ => {}
    }
    for c in path.components() {
        match c {
            Component::RootDir | Component::Prefix(_) => return Some("absolute path"),
            Component::ParentDir => return Some("'..' in its path"),
            _ => {}
        }
    }
    None
}

/// Read every labeled review from a `.tar.gz` (or plain `.tar`) without extracting.
pub fn read_imdb_tar(path: &Path, options: &ReadOptions) -> Result<ImdbFiles> {
    let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
    let reader = BufReader::with_capacity(1 << 20, file); // bounded: a constant
    let name = path.to_string_lossy().to_lowercase();
    if name.ends_with(".tar") {
        read_imdb_tar_from(path, reader, options)
    } else {
        read_imdb_tar_from(path, flate2::read::MultiGzDecoder::new(reader), options)
    }
}

/// [`read_imdb_tar`] on the (decompressed) tar stream `reader`; `path`
/// names it in errors.
pub fn read_imdb_tar_from<R: Read>(
    path: &Path,
    reader: R,
    options: &ReadOptions,
) -> Result<ImdbFiles> {
    let raw = scan_tar(path, reader, options.max_review_bytes)?;
    finish(path, raw, options.replace_invalid, true)
}

fn corrupt(path: &Path, e: &std::io::Error) -> CoreError {
    CoreError::malformed(path, 0, format!("corrupt or truncated archive ({e})"))
}

fn scan_tar<R: Read>(path: &Path, reader: R, limit: u64) -> Result<Vec<RawReview>> {
    let mut archive = tar::Archive::new(reader);
    let mut out = Vec::new();
    let entries = archive.entries().map_err(|e| corrupt(path, &e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(path, &e))?;
        let member = entry.path().map_err(|e| corrupt(path, &e))?.into_owned();
        let kind = entry.header().entry_type();
        if let Some(reason) = unsafe_reason(&member, kind) {
            return Err(CoreError::malformed(
                path,
                0,
                format!(
                    "refusing unsafe archive member {:?}: {reason}",
                    member.display().to_string()
                ),
            ));
        }
        if !kind.is_file() {
            continue;
        }
        let parts: Vec<String> = member
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let Some((split, label, name)) = review_slot(&refs) else {
            continue;
        };
        let declared = entry.size();
        let origin = format!("{}::{}", path.display(), member.display());
        if declared > limit {
            return Err(too_large(&origin, declared, limit));
        }
        // The declared size is at most `limit` here, and only a hint: the entry
        // reader stops at the declared size, so the read cannot outgrow it.
        let mut bytes = Vec::new();
        let hint = usize::try_from(declared.min(RESERVE_CAP)).unwrap_or(0);
        bytes
            .try_reserve(hint)
            .map_err(|_| too_large(&origin, declared, limit))?;
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| corrupt(path, &e))?;
        if u64::try_from(bytes.len()).ok() != Some(declared) {
            return Err(CoreError::malformed(
                path,
                0,
                format!(
                    "corrupt or truncated archive (member {} is short)",
                    member.display()
                ),
            ));
        }
        out.push(RawReview {
            split,
            label,
            name,
            origin,
            bytes,
        });
    }
    Ok(out)
}

/// The directory holding `train/` and `test/`: `root` itself or `root/aclImdb`.
fn imdb_root(root: &Path) -> PathBuf {
    if !root.join("train").is_dir() && root.join("aclImdb").is_dir() {
        root.join("aclImdb")
    } else {
        root.to_path_buf()
    }
}

/// Read every labeled review from an extracted `aclImdb` directory.
pub fn read_imdb_dir(root: &Path, options: &ReadOptions) -> Result<ImdbFiles> {
    let base = imdb_root(root);
    let refuse_link = |p: &Path| {
        CoreError::invalid(format!(
            "refusing symbolic link {}: pass follow_symlinks=True to read through links",
            p.display()
        ))
    };
    let mut files: Vec<(usize, u8, String, PathBuf)> = Vec::new();
    for (s, split) in SPLITS.iter().enumerate() {
        for (c, class) in CLASSES.iter().enumerate() {
            let dir = base.join(split).join(class);
            if !dir.is_dir() {
                return Err(CoreError::invalid(format!(
                    "missing class folder {}: an aclImdb directory needs train/neg, train/pos, \
                     test/neg and test/pos",
                    dir.display()
                )));
            }
            let dir_kind = std::fs::symlink_metadata(&dir).map_err(|e| CoreError::io(&dir, e))?;
            if dir_kind.file_type().is_symlink() && !options.follow_symlinks {
                return Err(refuse_link(&dir));
            }
            let listing = std::fs::read_dir(&dir).map_err(|e| CoreError::io(&dir, e))?;
            for item in listing {
                let item = item.map_err(|e| CoreError::io(&dir, e))?;
                let name = item.file_name().to_string_lossy().into_owned();
                if !name.ends_with(".txt") {
                    continue;
                }
                let p = item.path();
                // The directory entry's type costs no system call; only a link
                // needs a stat to see what it points to.
                let kind = item.file_type().map_err(|e| CoreError::io(&p, e))?;
                if kind.is_symlink() {
                    if !options.follow_symlinks {
                        return Err(refuse_link(&p));
                    }
                    if !p.is_file() {
                        continue;
                    }
                } else if !kind.is_file() {
                    continue;
                }
                files.push((s, u8::try_from(c).unwrap_or(0), name, p));
            }
        }
    }
    let read_all = || -> Result<Vec<RawReview>> {
        files
            .into_par_iter()
            .map_init(
                || vec![0u8; READ_BUFFER], // bounded: a constant
                |buffer, (split, label, name, p)| {
                    let bytes = read_small_file(&p, buffer, options.max_review_bytes)?;
                    Ok(RawReview {
                        split,
                        label,
                        name,
                        origin: p.display().to_string(),
                        bytes,
                    })
                },
            )
            .collect::<Result<_>>()
    };
    // Reading files waits on the kernel (and, when the files are not cached,
    // on the disk): more threads than cores keep the cores busy.
    let raw = match options.io_threads {
        Some(1) => read_all()?,
        threads => match rayon::ThreadPoolBuilder::new()
            .num_threads(threads.unwrap_or(IO_THREADS))
            .build()
        {
            Ok(pool) => pool.install(read_all)?,
            Err(_) => read_all()?,
        },
    };
    finish(&base, raw, options.replace_invalid, false)
}

/// Threads reading review files.
pub const IO_THREADS: usize = 8;

/// Size of the per-thread buffer for reading review files (the largest
/// aclImdb review is about 14 KB).
const READ_BUFFER: usize = 64 * 1024;

/// Read a whole file with as few system calls as possible: open, one `read`
/// into `buffer`, close. A read that does not fill the buffer has reached the
/// end of the file (a regular file is read in full unless the end comes
/// first), so no second read is needed to see EOF; larger files go on with
/// `read_to_end`, which stops one byte past `limit`: a file larger than that
/// is an error before it is read in full. No `stat` either: the buffer is large
/// enough for any review.
fn read_small_file(path: &Path, buffer: &mut [u8], limit: u64) -> Result<Vec<u8>> {
    let io = |e| CoreError::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let n = loop {
        match file.read(buffer) {
            Ok(n) => break n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(e)),
        }
    };
    let mut bytes = buffer.get(..n).unwrap_or_default().to_vec();
    if n == buffer.len() {
        let rest = limit.saturating_add(1).saturating_sub(n as u64);
        file.take(rest).read_to_end(&mut bytes).map_err(io)?;
    }
    let size = bytes.len() as u64;
    if size > limit {
        return Err(too_large(path.display(), size, limit));
    }
    Ok(bytes)
}

/// Sort, check that every class has reviews and no name repeats, decode UTF-8.
fn finish(
    source: &Path,
    mut raw: Vec<RawReview>,
    replace_invalid: bool,
    archive: bool,
) -> Result<ImdbFiles> {
    raw.par_sort_unstable_by(|a, b| (a.split, a.label, &a.name).cmp(&(b.split, b.label, &b.name)));
    for (s, split) in SPLITS.iter().enumerate() {
        for (c, class) in CLASSES.iter().enumerate() {
            let n = raw
                .iter()
                .filter(|r| r.split == s && usize::from(r.label) == c)
                .count();
            if n == 0 {
                let what = if archive { "archive" } else { "directory" };
                return Err(CoreError::malformed(
                    source,
                    0,
                    format!("empty split: the {what} has no reviews in {split}/{class}"),
                ));
            }
        }
    }
    if let Some(w) = raw
        .windows(2)
        .find(|w| (w[0].split, w[0].label, &w[0].name) == (w[1].split, w[1].label, &w[1].name))
    {
        return Err(CoreError::malformed(
            source,
            0,
            format!(
                "the review {} appears twice (also as {})",
                w[1].origin, w[0].origin
            ),
        ));
    }
    let decoded: Vec<(Review, bool)> = raw
        .into_par_iter()
        .map(|r| {
            let (text, replaced) = match String::from_utf8(r.bytes) {
                Ok(t) => (t, false),
                Err(e) if replace_invalid => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
                Err(e) => {
                    return Err(CoreError::malformed(
                        &r.origin,
                        0,
                        format!(
                            "not valid UTF-8 (byte offset {}); pass encoding_errors=\"replace\" to decode it with U+FFFD",
                            e.utf8_error().valid_up_to()
                        ),
                    ))
                }
            };
            let (id, rating) = id_and_rating(&r.name);
            Ok((
                Review {
                    split: r.split,
                    label: r.label,
                    name: r.name,
                    id,
                    rating,
                    text,
                },
                replaced,
            ))
        })
        .collect::<Result<_>>()?;
    let mut out = ImdbFiles::default();
    out.reviews.reserve(decoded.len()); // bounded: one per review read
    for (r, replaced) in decoded {
        if replaced {
            out.replaced.push(format!(
                "{}/{}/{}",
                SPLITS[r.split],
                CLASSES[usize::from(r.label)],
                r.name
            ));
        }
        out.reviews.push(r);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl std::ops::Deref for TempDir {
        type Target = PathBuf;
        fn deref(&self) -> &PathBuf {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn tmpdir(tag: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("imdbfast-archive-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let _ = std::fs::create_dir_all(&d);
        TempDir(d)
    }

    fn header(path: &str, kind: tar::EntryType, size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        // Write the raw name so that unsafe paths are not rejected by the builder.
        let bytes = path.as_bytes();
        if let Some(gnu) = h.as_gnu_mut() {
            gnu.name[..bytes.len()].copy_from_slice(bytes);
        }
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(0o644);
        h.set_cksum();
        h
    }

    fn build(dir: &Path, members: &[(&str, tar::EntryType, &[u8])]) -> PathBuf {
        let path = dir.join("a.tar.gz");
        let file = std::fs::File::create(&path).map(std::io::BufWriter::new);
        let Ok(file) = file else { return path };
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        for (name, kind, data) in members {
            let h = header(name, *kind, data.len() as u64);
            let _ = b.append(&h, *data);
        }
        if let Ok(gz) = b.into_inner() {
            if let Ok(mut w) = gz.finish() {
                let _ = w.flush();
            }
        }
        path
    }

    const F: tar::EntryType = tar::EntryType::Regular;

    fn all_classes() -> Vec<(&'static str, tar::EntryType, &'static [u8])> {
        vec![
            ("aclImdb/train/pos/2_9.txt", F, b"great"),
            ("aclImdb/train/pos/10_7.txt", F, b"fine"),
            ("aclImdb/train/neg/1_1.txt", F, b"bad"),
            ("aclImdb/train/unsup/5_0.txt", F, b"skip"),
            ("aclImdb/test/neg/3_2.txt", F, b"meh"),
            ("aclImdb/test/pos/4_8.txt", F, "caf\u{e9}".as_bytes()),
            ("aclImdb/README", F, b"readme"),
        ]
    }

    #[test]
    fn reads_and_orders() -> Result<()> {
        let d = tmpdir("order");
        let files = read_imdb_tar(&build(&d, &all_classes()), &ReadOptions::default())?;
        let got: Vec<(usize, u8, &str, i64, i64, &str)> = files
            .reviews
            .iter()
            .map(|r| {
                (
                    r.split,
                    r.label,
                    r.name.as_str(),
                    r.id,
                    r.rating,
                    r.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 0, "1_1.txt", 1, 1, "bad"),
                (0, 1, "10_7.txt", 10, 7, "fine"),
                (0, 1, "2_9.txt", 2, 9, "great"),
                (1, 0, "3_2.txt", 3, 2, "meh"),
                (1, 1, "4_8.txt", 4, 8, "caf\u{e9}"),
            ]
        );
        Ok(())
    }

    #[test]
    fn refuses_unsafe_members() {
        let d = tmpdir("unsafe");
        for (name, kind, reason) in [
            ("/etc/x.txt", F, "absolute path"),
            ("aclImdb/../../x.txt", F, "'..' in its path"),
            (
                "aclImdb/train/pos/9_9.txt",
                tar::EntryType::Symlink,
                "symbolic link",
            ),
            (
                "aclImdb/train/pos/9_9.txt",
                tar::EntryType::Link,
                "hard link",
            ),
            ("aclImdb/dev", tar::EntryType::Char, "device file"),
        ] {
            let mut m = all_classes();
            m.push((name, kind, b""));
            match read_imdb_tar(&build(&d, &m), &ReadOptions::default()) {
                Err(e) => assert!(e.to_string().contains(reason), "{e}"),
                Ok(_) => panic!("{name} accepted"),
            }
        }
    }

    #[test]
    fn invalid_utf8_and_replacement() -> Result<()> {
        let d = tmpdir("utf8");
        let mut m = all_classes();
        m.push(("aclImdb/test/neg/7_1.txt", F, b"bad \xff byte"));
        let path = build(&d, &m);
        match read_imdb_tar(&path, &ReadOptions::default()) {
            Err(e) => assert!(
                e.to_string().contains("test/neg/7_1.txt: not valid UTF-8"),
                "{e}"
            ),
            Ok(_) => panic!("accepted invalid UTF-8"),
        }
        let replace = ReadOptions {
            replace_invalid: true,
            ..ReadOptions::default()
        };
        let files = read_imdb_tar(&path, &replace)?;
        assert_eq!(files.replaced, vec!["test/neg/7_1.txt"]);
        assert!(files.reviews.iter().any(|r| r.text == "bad \u{fffd} byte"));
        Ok(())
    }

    #[test]
    fn empty_class_is_an_error() {
        let d = tmpdir("empty");
        let m: Vec<_> = all_classes()
            .into_iter()
            .filter(|(n, _, _)| !n.contains("test/neg"))
            .collect();
        match read_imdb_tar(&build(&d, &m), &ReadOptions::default()) {
            Err(e) => assert!(e.to_string().contains("no reviews in test/neg"), "{e}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn directory_matches_archive() -> Result<()> {
        let d = tmpdir("dir");
        write_tree(&d, &all_classes())?;
        let a = read_imdb_dir(&d, &ReadOptions::default())?;
        let t = read_imdb_tar(
            &build(&tmpdir("dir2"), &all_classes()),
            &ReadOptions::default(),
        )?;
        assert_eq!(a.reviews, t.reviews);
        std::fs::remove_dir_all(d.join("aclImdb/test/pos")).map_err(|e| CoreError::io(&*d, e))?;
        match read_imdb_dir(&d, &ReadOptions::default()) {
            Err(e) => assert!(e.to_string().contains("missing class folder"), "{e}"),
            Ok(_) => panic!("accepted"),
        }
        Ok(())
    }

    #[test]
    fn declared_sizes_are_not_trusted() {
        // A header declaring 1 TiB (base-256 size field) over a few bytes of data.
        let d = tmpdir("declared");
        let path = d.join("huge.tar.gz");
        let file = std::fs::File::create(&path).map(std::io::BufWriter::new);
        let Ok(file) = file else {
            panic!("cannot create {}", path.display())
        };
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        let h = header("aclImdb/train/pos/1_9.txt", F, 1 << 40);
        let _ = b.append(&h, &b"tiny"[..]);
        if let Ok(gz) = b.into_inner() {
            let _ = gz.finish();
        }
        match read_imdb_tar(&path, &ReadOptions::default()) {
            Err(e) => assert!(
                e.to_string()
                    .contains("1099511627776 bytes, more than max_review_bytes"),
                "{e}"
            ),
            Ok(_) => panic!("accepted a 1 TiB member"),
        }
    }

    #[test]
    fn review_size_limit() -> Result<()> {
        let small = ReadOptions {
            max_review_bytes: 4,
            ..ReadOptions::default()
        };
        let d = tmpdir("limit");
        let path = build(&d, &all_classes());
        match read_imdb_tar(&path, &small) {
            Err(e) => assert!(
                e.to_string().contains("2_9.txt: the review is 5 bytes"),
                "{e}"
            ),
            Ok(_) => panic!("accepted a review over the limit"),
        }
        let exact = ReadOptions {
            max_review_bytes: 5,
            ..ReadOptions::default()
        };
        assert_eq!(read_imdb_tar(&path, &exact)?.reviews.len(), 5);
        // The directory reader checks while reading, past its first buffer too.
        let dir = tmpdir("limit-dir");
        write_tree(&dir, &all_classes())?;
        let big = dir.join("aclImdb/train/pos/11_8.txt");
        let text = vec![b'a'; READ_BUFFER * 2 + 3];
        std::fs::write(&big, &text).map_err(|e| CoreError::io(&big, e))?;
        let limit = ReadOptions {
            max_review_bytes: (READ_BUFFER * 2) as u64,
            ..ReadOptions::default()
        };
        match read_imdb_dir(&dir, &limit) {
            Err(e) => assert!(e.to_string().contains("11_8.txt: the review is"), "{e}"),
            Ok(_) => panic!("accepted a review over the limit"),
        }
        assert_eq!(
            read_imdb_dir(&dir, &ReadOptions::default())?.reviews.len(),
            6
        );
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn directory_links_need_opt_in() -> Result<()> {
        let d = tmpdir("links");
        write_tree(&d, &all_classes())?;
        let outside = tmpdir("links-outside");
        let secret = outside.join("secret.txt");
        std::fs::write(&secret, b"outside").map_err(|e| CoreError::io(&secret, e))?;
        let link = d.join("aclImdb/train/neg/9_1.txt");
        std::os::unix::fs::symlink(&secret, &link).map_err(|e| CoreError::io(&link, e))?;
        match read_imdb_dir(&d, &ReadOptions::default()) {
            Err(e) => assert!(e.to_string().contains("refusing symbolic link"), "{e}"),
            Ok(_) => panic!("followed a link out of the tree"),
        }
        let follow = ReadOptions {
            follow_symlinks: true,
            ..ReadOptions::default()
        };
        let files = read_imdb_dir(&d, &follow)?;
        assert!(files.reviews.iter().any(|r| r.text == "outside"));
        // A class folder that is a link is refused too.
        std::fs::remove_file(&link).map_err(|e| CoreError::io(&link, e))?;
        let neg = d.join("aclImdb/test/neg");
        let moved = outside.join("neg");
        std::fs::rename(&neg, &moved).map_err(|e| CoreError::io(&neg, e))?;
        std::os::unix::fs::symlink(&moved, &neg).map_err(|e| CoreError::io(&neg, e))?;
        match read_imdb_dir(&d, &ReadOptions::default()) {
            Err(e) => assert!(e.to_string().contains("refusing symbolic link"), "{e}"),
            Ok(_) => panic!("followed a linked class folder"),
        }
        assert_eq!(read_imdb_dir(&d, &follow)?.reviews.len(), 5);
        Ok(())
    }

    fn write_tree(d: &Path, members: &[(&str, tar::EntryType, &[u8])]) -> Result<()> {
        for (name, _, data) in members {
            let p = d.join(name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| CoreError::io(parent, e))?;
            }
            std::fs::write(&p, data).map_err(|e| CoreError::io(&p, e))?;
        }
        Ok(())
    }

    #[test]
    fn names() {
        assert_eq!(id_and_rating("123_8.txt"), (123, 8));
        assert_eq!(id_and_rating("review.txt"), (-1, -1));
    }
}

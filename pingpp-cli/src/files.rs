//! Safe file writes, the one way every command writes a file.
//!
//! * A file is never replaced without `--force`, and never written through a symbolic
//!   link (with or without `--force`).
//! * Content is written to a temporary file in the target's own folder (mode 0600) and
//!   renamed into place, so a reader never sees half a key and a private key is never
//!   readable by others, not even for an instant — also when it replaces a 0644 file.
//! * Several files (a key pair) are written all or none: when one cannot be placed, the
//!   ones already placed are taken back and the files they replaced are restored.
//! * Folders we create are owner-only (0700); one that turns out to be a symbolic link
//!   is refused.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use tempfile::{NamedTempFile, TempPath};

/// Why a file could not be written. Never carries the content.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FileError {
    /// The target exists and `--force` was not given.
    #[error("{} already exists (use --force to replace it)", path.display())]
    Exists {
        /// The target.
        path: PathBuf,
    },
    /// The target, or a folder we were creating, is a symbolic link.
    #[error("{} is a symbolic link: refusing to write through it", path.display())]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// The target exists and is not a regular file.
    #[error("{} exists and is not a regular file", path.display())]
    NotAFile {
        /// The target.
        path: PathBuf,
    },
    /// An I/O error.
    #[error("cannot write {}", path.display())]
    Io {
        /// The file or folder at fault.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One file to write.
#[derive(Clone, Copy)]
pub(crate) struct NewFile<'a> {
    /// Where.
    pub(crate) path: &'a Path,
    /// What.
    pub(crate) contents: &'a [u8],
    /// Owner-only (0600) when true; 0644 otherwise.
    pub(crate) private: bool,
}

/// Writes one file; see [`write_all_or_none`].
pub(crate) fn write_file(
    path: &Path,
    contents: &[u8],
    private: bool,
    force: bool,
) -> Result<(), FileError> {
    write_all_or_none(
        &[NewFile {
            path,
            contents,
            private,
        }],
        force,
    )
}

/// The folder a file lives in (`.` for a bare file name).
fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Refuses a target that is a symlink or not a regular file, or that exists without
/// `force`.
fn check_target(path: &Path, force: bool) -> Result<(), FileError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(FileError::Symlink {
            path: path.to_owned(),
        }),
        Ok(meta) if !meta.is_file() => Err(FileError::NotAFile {
            path: path.to_owned(),
        }),
        Ok(_) if !force => Err(FileError::Exists {
            path: path.to_owned(),
        }),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path)(e)),
    }
}

/// Checks targets before any work is done (e.g. before generating a key): each must be
/// absent, or a regular file when `force` is given. [`write_all_or_none`] checks again.
pub(crate) fn check_targets<'a>(
    paths: impl IntoIterator<Item = &'a Path>,
    force: bool,
) -> Result<(), FileError> {
    paths.into_iter().try_for_each(|p| check_target(p, force))
}

/// The content in a temporary file beside `file.path`, with its final mode.
fn staged(file: &NewFile<'_>) -> Result<NamedTempFile, FileError> {
    let dir = folder(file.path);
    // tempfile creates the file with O_EXCL and mode 0600.
    let mut tmp = tempfile::Builder::new()
        .prefix(".pingpp-new-")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    tmp.write_all(file.contents).map_err(io(file.path))?;
    tmp.as_file().sync_all().map_err(io(file.path))?;
    #[cfg(unix)]
    if !file.private {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io(file.path))?;
    }
    Ok(tmp)
}

/// Moves an existing target aside (to a temporary name in its folder) so it can be
/// restored; `None` when there is nothing there.
fn move_aside(path: &Path) -> Result<Option<TempPath>, FileError> {
    let dir = folder(path);
    let backup = tempfile::Builder::new()
        .prefix(".pingpp-old-")
        .tempfile_in(dir)
        .map_err(io(dir))?
        .into_temp_path();
    // rename(2) moves a symlink itself, never what it points to.
    match std::fs::rename(path, &backup) {
        Ok(()) => Ok(Some(backup)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

/// Writes every file, or none of them.
///
/// Checks every target first (symlink, not a file, exists without `force`), stages every
/// content in a temporary file, then places them: without `force` with a rename that
/// never replaces anything (so a file appearing meanwhile is not clobbered), with
/// `force` after moving the old files aside. When placing one fails, the files already
/// placed are removed and the old ones put back.
pub(crate) fn write_all_or_none(files: &[NewFile<'_>], force: bool) -> Result<(), FileError> {
    check_targets(files.iter().map(|f| f.path), force)?;
    let mut temps = Vec::with_capacity(files.len());
    for f in files {
        temps.push(staged(f)?);
    }
    place_all(files, temps, force)
}

/// Places staged files (targets already checked); on failure takes back what was placed
/// and restores what was replaced.
fn place_all(
    files: &[NewFile<'_>],
    temps: Vec<NamedTempFile>,
    force: bool,
) -> Result<(), FileError> {
    let mut backups: Vec<(usize, TempPath)> = Vec::new();
    let mut placed: Vec<&Path> = Vec::new();
    let mut failure = None;
    if force {
        for (i, f) in files.iter().enumerate() {
            match move_aside(f.path) {
                Ok(Some(b)) => backups.push((i, b)),
                Ok(None) => {}
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
    }
    if failure.is_none() {
        for (f, tmp) in files.iter().zip(temps) {
            let result = if force {
                tmp.persist(f.path).map(drop)
            } else {
                tmp.persist_noclobber(f.path).map(drop)
            };
            match result {
                Ok(()) => placed.push(f.path),
                Err(e) => {
                    failure = Some(if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                        FileError::Exists {
                            path: f.path.to_owned(),
                        }
                    } else {
                        io(f.path)(e.error)
                    });
                    break;
                }
            }
        }
    }
    let Some(failure) = failure else {
        // Success: the backups (the replaced files) are deleted as they drop.
        return Ok(());
    };
    for path in placed {
        if let Err(e) = std::fs::remove_file(path) {
            tracing::warn!(path = %path.display(), error = %e, "cannot take back a file just written");
        }
    }
    for (i, backup) in backups {
        let path = files[i].path;
        if let Err(e) = std::fs::rename(&backup, path) {
            tracing::warn!(path = %path.display(), error = %e, "cannot restore the file replaced");
            // Keep the old content rather than delete it with the temporary name.
            if let Ok(kept) = backup.keep() {
                tracing::warn!(kept = %kept.display(), "the replaced file is kept here");
            }
        }
    }
    Err(failure)
}

/// Creates `dir` and its missing parents, each owner-only (0700 on Unix). A folder that
/// appears as a symbolic link while we create it is refused; one that already existed
/// is used as it is.
pub(crate) fn create_private_dir_all(dir: &Path) -> Result<(), FileError> {
    let mut missing = Vec::new();
    let mut cur = dir;
    loop {
        match std::fs::symlink_metadata(cur) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(cur);
                match cur.parent() {
                    Some(p) if !p.as_os_str().is_empty() => cur = p,
                    _ => break,
                }
            }
            Err(e) => return Err(io(cur)(e)),
        }
    }
    for d in missing.into_iter().rev() {
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        match builder.create(d) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(d)(e)),
        }
        // Whoever made it, it must be a real folder now.
        let meta = std::fs::symlink_metadata(d).map_err(io(d))?;
        if meta.file_type().is_symlink() {
            return Err(FileError::Symlink { path: d.to_owned() });
        }
    }
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(FileError::NotAFile {
            path: dir.to_owned(),
        }),
        Err(e) => Err(io(dir)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            0o600
        }
    }

    /// No temporary file is left behind.
    fn assert_no_leftovers(dir: &Path) {
        let left: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".pingpp-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn new_files_are_created_with_their_mode_and_never_replaced_without_force() {
        let dir = tempfile::tempdir().expect("tempdir");
        let private = dir.path().join("k.pem");
        let public = dir.path().join("k.pub");
        write_file(&private, b"secret", true, false).expect("write");
        write_file(&public, b"public", false, false).expect("write");
        assert_eq!(mode(&private), 0o600);
        assert_eq!(mode(&public), 0o644);
        let e = write_file(&private, b"other", true, false).unwrap_err();
        assert!(matches!(e, FileError::Exists { .. }), "{e}");
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(std::fs::read(&private).expect("read"), b"secret");
        assert_no_leftovers(dir.path());
    }

    #[cfg(unix)]
    #[test]
    fn force_replaces_a_world_readable_file_with_an_owner_only_one() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("k.pem");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_file(&path, b"new", true, true).expect("forced write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        assert_eq!(mode(&path), 0o600);
        assert_no_leftovers(dir.path());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_refused_even_with_force() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").expect("write");
        let link = dir.path().join("link.pem");
        std::os::unix::fs::symlink(&victim, &link).expect("symlink");
        for force in [false, true] {
            let e = write_file(&link, b"x", true, force).unwrap_err();
            assert!(matches!(e, FileError::Symlink { .. }), "{e}");
        }
        // A dangling link too.
        let dangling = dir.path().join("dangling.pem");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).expect("symlink");
        let e = write_file(&dangling, b"x", true, true).unwrap_err();
        assert!(matches!(e, FileError::Symlink { .. }), "{e}");
        assert!(!dir.path().join("nowhere").exists());
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
    }

    fn pair<'a>(a: &'a Path, b: &'a Path) -> [NewFile<'a>; 2] {
        [
            NewFile {
                path: a,
                contents: b"new a",
                private: true,
            },
            NewFile {
                path: b,
                contents: b"new b",
                private: false,
            },
        ]
    }

    #[test]
    fn a_pair_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        // b exists: without force nothing is written, a included.
        std::fs::write(&b, "old b").expect("write");
        let e = write_all_or_none(&pair(&a, &b), false).unwrap_err();
        assert!(
            matches!(e, FileError::Exists { ref path } if path == &b),
            "{e}"
        );
        assert!(!a.exists(), "no half pair");
        assert_eq!(std::fs::read(&b).expect("read"), b"old b");

        write_all_or_none(&pair(&a, &b), true).expect("both");
        assert_eq!(std::fs::read(&a).expect("read"), b"new a");
        assert_eq!(std::fs::read(&b).expect("read"), b"new b");
        assert_no_leftovers(dir.path());
    }

    #[test]
    fn a_failure_after_the_first_file_is_placed_takes_it_back() {
        // The second target turns into a non-empty folder after the checks (a race we
        // cannot stage through the public function). Without force the first file is
        // placed, then the second fails and the first is taken back; with force the old
        // first file is moved aside, the second cannot be, and the first is restored.
        for force in [false, true] {
            let dir = tempfile::tempdir().expect("tempdir");
            let a = dir.path().join("a");
            let b = dir.path().join("b");
            if force {
                std::fs::write(&a, "old a").expect("write");
            }
            let files = pair(&a, &b);
            let temps = files.iter().map(|f| staged(f).expect("stage")).collect();
            std::fs::create_dir(&b).expect("mkdir");
            std::fs::write(b.join("inside"), "x").expect("write");
            assert!(place_all(&files, temps, force).is_err());
            if force {
                assert_eq!(std::fs::read(&a).expect("read"), b"old a", "restored");
            } else {
                assert!(!a.exists(), "taken back");
            }
            assert_no_leftovers(dir.path());
        }
    }

    #[cfg(unix)]
    #[test]
    fn created_folders_are_owner_only_and_must_be_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let deep = dir.path().join("x/y/z");
        create_private_dir_all(&deep).expect("mkdir -p");
        for d in ["x", "x/y", "x/y/z"] {
            assert_eq!(mode(&dir.path().join(d)), 0o700, "{d}");
        }
        create_private_dir_all(&deep).expect("exists already: fine");
        let file = dir.path().join("f");
        std::fs::write(&file, "").expect("write");
        assert!(matches!(
            create_private_dir_all(&file),
            Err(FileError::NotAFile { .. })
        ));
    }
}

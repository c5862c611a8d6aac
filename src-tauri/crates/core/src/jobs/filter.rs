//! Include and exclude masks. Exclude wins.
//! - a mask without `/` matches a file or folder name (`*.tmp`, `cache`);
//! - a mask ending in `/` matches folder names only (`node_modules/`);
//! - a mask starting with `/` matches the full path (`/home/*/.cache`),
//!   where `*` does not cross `/`.
//!
//! Include masks keep only files whose name matches one of them; folders
//! are always entered.

use crate::error::{Error, Result};
use glob::{MatchOptions, Pattern};
use std::path::Path;

struct Mask {
    pattern: Pattern,
    dirs_only: bool,
    full_path: bool,
}

/// Compiled masks of a job.
pub struct Filter {
    excludes: Vec<Mask>,
    includes: Vec<Pattern>,
}

const OPTS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

fn compile(mask: &str) -> Result<Mask> {
    let dirs_only = mask.ends_with('/') && mask.len() > 1;
    let body = if dirs_only {
        &mask[..mask.len() - 1]
    } else {
        mask
    };
    let pattern = Pattern::new(body)
        .map_err(|e| Error::invalid(format!("the mask \"{mask}\" is not valid")).caused_by(e))?;
    Ok(Mask {
        pattern,
        dirs_only,
        full_path: body.starts_with('/'),
    })
}

impl Filter {
    /// Compiles masks; a bad mask is reported by name.
    pub fn new(exclude_masks: &[String], include_masks: &[String]) -> Result<Self> {
        let excludes = exclude_masks
            .iter()
            .map(|m| compile(m))
            .collect::<Result<_>>()?;
        let includes = include_masks
            .iter()
            .map(|m| {
                Pattern::new(m).map_err(|e| {
                    Error::invalid(format!("the mask \"{m}\" is not valid")).caused_by(e)
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self { excludes, includes })
    }

    /// True when the entry at `path` (a folder when `is_dir`) is excluded.
    pub fn excluded(&self, path: &Path, is_dir: bool) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let full = path.to_string_lossy();
        let hit = self.excludes.iter().any(|m| {
            if m.dirs_only && !is_dir {
                return false;
            }
            if m.full_path {
                m.pattern.matches_with(&full, OPTS)
            } else {
                m.pattern.matches_with(&name, OPTS)
            }
        });
        if hit {
            return true;
        }
        !is_dir
            && !self.includes.is_empty()
            && !self.includes.iter().any(|p| p.matches_with(&name, OPTS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(ex: &[&str], inc: &[&str]) -> Filter {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        Filter::new(&s(ex), &s(inc)).expect("masks")
    }

    #[test]
    fn name_path_and_folder_masks() {
        let x = f(&["*.tmp", "/home/*/.cache", "build/"], &[]);
        assert!(x.excluded(Path::new("/a/b/x.tmp"), false));
        assert!(!x.excluded(Path::new("/a/b/x.txt"), false));
        assert!(x.excluded(Path::new("/home/ann/.cache"), true));
        assert!(
            !x.excluded(Path::new("/home/ann/sub/.cache"), true),
            "* does not cross /"
        );
        assert!(x.excluded(Path::new("/src/build"), true));
        assert!(
            !x.excluded(Path::new("/src/build"), false),
            "build/ is for folders only"
        );
    }

    #[test]
    fn include_masks_keep_matching_files_and_exclude_wins() {
        let x = f(&["secret*"], &["*.txt", "*.md"]);
        assert!(!x.excluded(Path::new("/d/readme.md"), false));
        assert!(x.excluded(Path::new("/d/image.png"), false));
        assert!(
            !x.excluded(Path::new("/d/sub"), true),
            "folders are entered"
        );
        assert!(
            x.excluded(Path::new("/d/secret.txt"), false),
            "exclude wins"
        );
    }

    #[test]
    fn a_bad_mask_is_named() {
        let e = Filter::new(&["[".into()], &[]).err().expect("bad mask");
        assert!(e.message().contains("\"[\""));
    }
}

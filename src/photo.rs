//! A story's lead photo: found beside the story (`<stem>.jpg`, `.jpeg`, `.png`, `.webp`, `.gif`,
//! first found) or named by its sidecar (`photo = "…"`: a path beside the story or an absolute
//! http(s) URL), recognised by its header bytes (never by its name, never decoding the image),
//! copied to `<out>/media/…` atomically and only when changed, and described for the feeds.
//!
//! A photo is an illustration, not the story: a missing, unreadable, truncated, oversized or
//! non-image photo is a warning naming the file, and the story is published without one.

use std::path::{Path, PathBuf};

use url::Url;

use crate::article::{Article, ArticleWarning, ArticleWarningKind};
use crate::config::Config;
use crate::corpus::{Archive, PHOTO_EXTS};

use crate::feed::Photo;
use crate::output::{self, WriteOutcome};

/// The photo types feeds and readers take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    Webp,
    /// GIF.
    Gif,
}

impl ImageKind {
    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Webp => "image/webp",
            ImageKind::Gif => "image/gif",
        }
    }

    /// The file extension, for `{ext}` and the copy's name.
    pub fn ext(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpg",
            ImageKind::Png => "png",
            ImageKind::Webp => "webp",
            ImageKind::Gif => "gif",
        }
    }
}

/// The type and size of an image, from its header bytes.
pub fn probe(bytes: &[u8]) -> Result<(ImageKind, u32, u32), String> {
    use imagesize::ImageType;
    let kind = match imagesize::image_type(bytes) {
        Ok(ImageType::Jpeg) => ImageKind::Jpeg,
        Ok(ImageType::Png) => ImageKind::Png,
        Ok(ImageType::Webp) => ImageKind::Webp,
        Ok(ImageType::Gif) => ImageKind::Gif,
        Ok(_) | Err(_) => return Err("not a JPEG, PNG, WebP or GIF image".into()),
    };
    let size = imagesize::blob_size(bytes)
        .map_err(|e| format!("a {} whose header cannot be read ({e})", kind.mime()))?;
    let dim = |n: usize| u32::try_from(n).ok().filter(|n| *n > 0);
    match (dim(size.width), dim(size.height)) {
        (Some(w), Some(h)) => Ok((kind, w, h)),
        _ => Err(format!("a {} with no size in its header", kind.mime())),
    }
}

/// Where a story's photo is: the sidecar's `photo` (a URL, or a path beside the story), else
/// the first `<stem>.jpg|jpeg|png|webp|gif` beside the story file at `story`.
pub fn locate(story: &Path, meta_photo: Option<&str>) -> Option<Result<PathBuf, Url>> {
    match meta_photo {
        Some(photo) if photo.contains(':') => Url::parse(photo).ok().map(Err),
        Some(photo) => Some(Ok(story.parent().unwrap_or(Path::new("")).join(photo))),
        None => PHOTO_EXTS
            .iter()
            .map(|ext| story.with_extension(ext))
            .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir()))
            .map(Ok),
    }
}

/// The photo of one published story, if it has one that can be published; `warnings` gets
/// what was wrong with a photo that cannot.
pub(crate) fn attach(
    config: &Config,
    archive: &Archive,
    copy_to: Option<(&Path, &output::DirSyncs)>,
    article: &Article,
    warnings: &mut Vec<ArticleWarning>,
) -> Option<Photo> {
    let caption = article.meta.caption.clone();
    let warn = |warnings: &mut Vec<ArticleWarning>, path: PathBuf, why: String| {
        warnings.push(ArticleWarning {
            path,
            line: None,
            kind: ArticleWarningKind::Photo(why),
        });
    };
    let rel = match article.meta.photo.as_deref() {
        // Checked when the sidecar was read: an http(s) URL with a host.
        Some(photo) if photo.contains(':') => {
            let url = Url::parse(photo).ok()?;
            if !config.allows_host(&url) {
                let host = url.host_str().unwrap_or_default();
                let why = format!("`{url}` is on `{host}`, neither the site's host nor one of `link_hosts`; published without it");
                warn(
                    warnings,
                    crate::article::meta::sidecar_of(&archive.path_of(&article.rel_path)),
                    why,
                );
                return None;
            }
            return Some(Photo {
                url,
                mime: None,
                length: None,
                width: None,
                height: None,
                caption,
            });
        }
        // Checked when the sidecar was read: a path below the story's folder.
        Some(photo) => {
            let dir = article.rel_path.rsplit_once('/').map_or("", |(d, _)| d);
            let photo = photo.trim_start_matches("./");
            if dir.is_empty() {
                photo.to_string()
            } else {
                format!("{dir}/{photo}")
            }
        }
        None => PHOTO_EXTS
            .iter()
            .map(|ext| format!("{}.{ext}", article.id))
            .find(|rel| {
                std::fs::symlink_metadata(archive.path_of(rel)).is_ok_and(|m| !m.is_dir())
            })?,
    };
    let path = archive.path_of(&rel);
    let bytes = match archive.read(&rel, config.max_photo_size) {
        Ok(b) => b,
        Err(e) => {
            warn(warnings, path, format!("{}; published without it", e.kind));
            return None;
        }
    };
    let (kind, width, height) = match probe(&bytes) {
        Ok(p) => p,
        Err(why) => {
            warn(warnings, path, format!("{why}; published without it"));
            return None;
        }
    };
    if let Some((media, syncs)) = copy_to {
        let dest = media.join(format!("{}.{}", article.id, kind.ext()));
        if let Err(why) = copy(media, &dest, &bytes, syncs) {
            warn(
                warnings,
                dest,
                format!("{why}; the feed links to it all the same"),
            );
        }
    }
    Some(Photo {
        url: config
            .photo_url
            .render_photo(article.date, &article.id, &article.slug, kind.ext()),
        mime: Some(kind.mime()),
        length: Some(bytes.len() as u64),
        width: Some(width),
        height: Some(height),
        caption,
    })
}

/// Copies a photo to `dest` under `media`, atomically and only when changed. The output folder
/// is not trusted: every folder on the way must be a real folder, never a link that could lead
/// the copy elsewhere.
fn copy(
    media: &Path,
    dest: &Path,
    bytes: &[u8],
    syncs: &output::DirSyncs,
) -> Result<WriteOutcome, String> {
    let parent = dest.parent().unwrap_or(media);
    let mut dir = media.parent().map(Path::to_path_buf).unwrap_or_default();
    let below: Vec<_> = parent
        .strip_prefix(dir.as_path())
        .map_err(|_| "the copy would leave the output folder".to_string())?
        .components()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    for part in below {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "`{}` is not a folder (a link or a file); remove it",
                    crate::diagnostic::shown(&dir)
                ))
            }
            // Photos are copied many at once: another copy may make the folder first, and
            // then it must be a real folder all the same.
            Err(_) => match std::fs::create_dir(&dir) {
                Ok(()) => {}
                Err(e)
                    if e.kind() == std::io::ErrorKind::AlreadyExists
                        && std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) => {}
                Err(e) => {
                    return Err(format!(
                        "cannot create `{}`: {e}",
                        crate::diagnostic::shown(&dir)
                    ))
                }
            },
        }
    }
    output::write_in_batch(dest, bytes, syncs).map_err(|e| {
        let source = std::error::Error::source(&e).map(ToString::to_string);
        source.unwrap_or_else(|| e.to_string())
    })
}

/// Removes the copies a story's photo may have left in `media` (withdrawn or held back): the
/// files only, never through a link.
pub(crate) fn remove_copies(media: &Path, id: &str) {
    for ext in ["jpg", "png", "webp", "gif"] {
        let path = media.join(format!("{id}.{ext}"));
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Smallest headers the probe reads, for tests: (bytes, kind, width, height).
    pub(crate) fn samples() -> Vec<(Vec<u8>, ImageKind, u32, u32)> {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(640u32.to_be_bytes());
        png.extend(480u32.to_be_bytes());
        png.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
        let mut gif = b"GIF89a".to_vec();
        gif.extend(320u16.to_le_bytes());
        gif.extend(200u16.to_le_bytes());
        gif.extend([0, 0, 0]);
        // JPEG: SOI, an APP0 segment, then SOF0 with height and width.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpeg.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08]);
        jpeg.extend(300u16.to_be_bytes());
        jpeg.extend(400u16.to_be_bytes());
        jpeg.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        // WebP, lossless (VP8L): 14-bit width-1 and height-1 packed after the signature.
        let (w, h) = (800u32, 600u32);
        let bits = (w - 1) | ((h - 1) << 14);
        let mut vp8l = vec![0x2F];
        vp8l.extend(bits.to_le_bytes());
        let mut webp = b"RIFF".to_vec();
        webp.extend((4 + 8 + vp8l.len() as u32).to_le_bytes());
        webp.extend(b"WEBPVP8L");
        webp.extend((vp8l.len() as u32).to_le_bytes());
        webp.extend(vp8l);
        vec![
            (jpeg, ImageKind::Jpeg, 400, 300),
            (png, ImageKind::Png, 640, 480),
            (webp, ImageKind::Webp, 800, 600),
            (gif, ImageKind::Gif, 320, 200),
        ]
    }

    #[test]
    fn every_type_and_its_size_from_the_header() {
        for (bytes, kind, w, h) in samples() {
            assert_eq!(probe(&bytes), Ok((kind, w, h)), "{kind:?}");
        }
    }

    #[test]
    fn not_an_image_or_cut_short() {
        assert!(probe(b"not an image at all").is_err());
        assert!(probe(b"").is_err());
        let (png, ..) = &samples()[1];
        assert!(probe(&png[..12]).is_err(), "truncated before the size");
        let (bmp, ..) = (b"BM\0\0\0\0\0\0\0\0".to_vec(), 0);
        assert!(probe(&bmp).is_err(), "BMP is not a feed photo type");
    }
}

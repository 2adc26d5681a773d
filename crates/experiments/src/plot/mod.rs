//! The pictures, drawn with plotters into PNG and SVG from one drawing function per figure.
//!
//! - [`boundary`]: `plot_decision_boundary` (train | test side by side, 101×101 grid padded by
//!   0.1, RdYlBu filled regions at alpha 0.7, scatter of the points coloured by label);
//! - [`curves`]: the loss and accuracy curves of a run;
//! - [`predictions`]: `plot_predictions` for the straight line (train blue, test green,
//!   predictions red);
//! - [`activations`]: the hand-written activations over the built-ins.
//!
//! Text goes through plotters' pure-Rust `ab_glyph` path with DejaVu Sans compiled in
//! (`assets/DejaVuSans.ttf`, Bitstream Vera licence in `assets/DejaVuSans-LICENSE.txt`), so no
//! system fontconfig/freetype is needed.

pub mod activations;
pub mod boundary;
pub mod colormap;
pub mod curves;
pub mod predictions;

use crate::error::CliError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// DejaVu Sans, registered as plotters' `sans-serif`.
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// The font family every figure uses.
pub const FONT_FAMILY: &str = "sans-serif";

/// Registers the compiled-in font once.
pub fn register_font() {
    REGISTER.call_once(|| {
        // The bytes are a valid TrueType file, so this cannot fail; if it ever did, text would
        // be missing from the pictures but nothing else would break.
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT);
    });
}

/// Draws the same figure into `<stem>.png` and `<stem>.svg`; returns both paths.
///
/// `draw_png` and `draw_svg` are the same generic drawing function instantiated for each backend
/// (Rust closures cannot be generic over the backend). Both pictures are drawn in memory and then
/// written with [`nn::atomic_file`], so a full disk or a killed run never leaves a partial picture,
/// and a failure names the file and the system's reason.
pub fn save_png_svg(
    stem: &Path,
    size: (u32, u32),
    draw_png: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
    draw_svg: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<Vec<PathBuf>, CliError> {
    register_font();
    // Append, never replace, the extension: a stem such as `line-lr0.01_loss` contains a dot.
    let with_ext = |ext: &str| {
        let mut name = stem.as_os_str().to_os_string();
        name.push(ext);
        PathBuf::from(name)
    };
    let (png, svg) = (with_ext(".png"), with_ext(".svg"));
    let fail = |path: &Path, e: String| CliError::new(format!("cannot draw {}: {e}", path.display()));
    // RGB, 3 bytes a pixel, row-major: what BitMapBackend draws into and the PNG encoder reads.
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        draw_png(&root).map_err(|e| fail(&png, e))?;
        root.present().map_err(|e| fail(&png, e.to_string()))?;
    }
    write_picture(&png, |file| {
        use image::ImageEncoder;
        use std::io::Write;
        let mut w = std::io::BufWriter::new(file);
        image::codecs::png::PngEncoder::new(&mut w).write_image(&rgb, size.0, size.1, image::ColorType::Rgb8).map_err(
            |e| match e {
                image::ImageError::IoError(io) => io,
                other => std::io::Error::other(other.to_string()),
            },
        )?;
        // Flushed here: a BufWriter dropped unflushed would swallow a write error.
        w.flush()
    })?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        draw_svg(&root).map_err(|e| fail(&svg, e))?;
        root.present().map_err(|e| fail(&svg, e.to_string()))?;
    }
    write_picture(&svg, |file| std::io::Write::write_all(file, text.as_bytes()))?;
    Ok(vec![png, svg])
}

/// Writes one picture atomically; the error names the file and says what to do.
fn write_picture(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>) -> Result<(), CliError> {
    nn::atomic_file::write_with(path, fill).map_err(|e| CliError::io("write the picture", path, &e))
}

/// Turns any plotters error into a string.
pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A tick label for `v` on an axis spanning `span`: as many decimals as ticks about a tenth of the
/// span apart need, trailing zeros dropped, and never "-0" (a tick at a rounding error below zero
/// reads as zero).
pub(crate) fn tick_label(v: f64, span: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e6 {
        return format!("{v:.2e}");
    }
    // Ticks are 1, 2 or 5 times a power of ten, at least span/20 apart: one more decimal than that
    // power needs tells 0.25 from 0.2.
    let step = (span.abs() / 20.0).max(f64::MIN_POSITIVE);
    let decimals = (-step.log10().floor()).clamp(0.0, 15.0) as usize + 1;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    match text {
        "-0" => "0".to_string(),
        t => t.to_string(),
    }
}

/// `(min, max)` of a non-empty slice, padded by `pad` on each side.
pub(crate) fn range_padded(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo.is_finite() && hi.is_finite() {
        (lo - pad, hi + pad)
    } else {
        (-1.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dot_in_the_stem_is_kept() {
        let dir = std::env::temp_dir().join(format!("experiments-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = save_png_svg(
            &dir.join("line-lr0.01_loss"),
            (40, 30),
            |r| r.fill(&WHITE).map_err(err),
            |r| r.fill(&WHITE).map_err(err),
        )
        .unwrap();
        assert_eq!(files, vec![dir.join("line-lr0.01_loss.png"), dir.join("line-lr0.01_loss.svg")]);
        assert!(files.iter().all(|f| f.exists()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn tick_labels_are_short_and_never_negative_zero() {
        assert_eq!(tick_label(-1e-17, 2.0), "0");
        assert_eq!(tick_label(-0.0, 2.0), "0");
        assert_eq!(tick_label(0.25, 1.0), "0.25");
        assert_eq!(tick_label(0.2, 1.0), "0.2");
        assert_eq!(tick_label(-1.5, 4.0), "-1.5");
        assert_eq!(tick_label(300.0, 1000.0), "300");
        assert_eq!(tick_label(0.004, 0.02), "0.004");
    }
}

//! matplotlib's `RdYlBu` colour map (ColorBrewer's 11 anchors, linearly interpolated), the map
//! the tutorial passes to `contourf` and `scatter`.

use plotters::style::RGBColor;

/// The 11 anchors of `matplotlib._cm._RdYlBu_data`, red (0) to blue (1).
const RDYLBU: [(f64, f64, f64); 11] = [
    (0.647_058_823_529_411_8, 0.0, 0.149_019_607_843_137_25),
    (0.843_137_254_901_960_8, 0.188_235_294_117_647_06, 0.152_941_176_470_588_25),
    (0.956_862_745_098_039_3, 0.427_450_980_392_156_84, 0.262_745_098_039_215_7),
    (0.992_156_862_745_098_1, 0.682_352_941_176_470_6, 0.380_392_156_862_745_1),
    (0.996_078_431_372_549, 0.878_431_372_549_019_6, 0.564_705_882_352_941_2),
    (1.0, 1.0, 0.749_019_607_843_137_3),
    (0.878_431_372_549_019_6, 0.952_941_176_470_588_2, 0.972_549_019_607_843_1),
    (0.670_588_235_294_117_6, 0.850_980_392_156_862_7, 0.913_725_490_196_078_4),
    (0.454_901_960_784_313_7, 0.678_431_372_549_019_6, 0.819_607_843_137_254_9),
    (0.270_588_235_294_117_63, 0.458_823_529_411_764_7, 0.705_882_352_941_176_5),
    (0.192_156_862_745_098_05, 0.211_764_705_882_352_94, 0.584_313_725_490_196_1),
];

/// `RdYlBu(t)` for `t` in `[0, 1]` (clamped).
pub fn rdylbu(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let pos = t * (RDYLBU.len() - 1) as f64;
    let i = (pos.floor() as usize).min(RDYLBU.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (RDYLBU[i], RDYLBU[i + 1]);
    let mix = |x: f64, y: f64| ((x + (y - x) * f) * 255.0).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The colour of class `label` among `n_classes` (matplotlib normalises `c=y` to its min/max).
pub fn class_color(label: i64, n_classes: usize) -> RGBColor {
    let span = n_classes.saturating_sub(1).max(1) as f64;
    rdylbu(label as f64 / span)
}

/// `color` drawn at `alpha` over white (contourf's `alpha=0.7` on a white axes).
pub fn over_white(color: RGBColor, alpha: f64) -> RGBColor {
    let blend = |c: u8| (alpha * c as f64 + (1.0 - alpha) * 255.0).round() as u8;
    RGBColor(blend(color.0), blend(color.1), blend(color.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_and_middle_match_matplotlib() {
        // matplotlib: RdYlBu(0.0) = (165, 0, 38), RdYlBu(1.0) = (49, 54, 149), RdYlBu(0.5) = (255, 255, 191).
        assert_eq!(rdylbu(0.0), RGBColor(165, 0, 38));
        assert_eq!(rdylbu(1.0), RGBColor(49, 54, 149));
        assert_eq!(rdylbu(0.5), RGBColor(255, 255, 191));
        assert_eq!(class_color(1, 2), RGBColor(49, 54, 149));
    }
}

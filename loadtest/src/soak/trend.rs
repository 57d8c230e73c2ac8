//! Is a series flat? A least-squares line through the samples taken after the warm-up: its slope times
//! the span the samples cover is the growth the line predicts over the soak, and the series is flat
//! when that growth is within a tolerance (a percentage of the series' mean, or an absolute floor for
//! series whose mean is small).

use serde::Serialize;

/// The least-squares slope of `points` (x, y); `None` with fewer than two distinct x.
pub fn slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mean_x = points.iter().map(|(x, _)| x).sum::<f64>() / n;
    let mean_y = points.iter().map(|(_, y)| y).sum::<f64>() / n;
    let (covariance, variance) = points.iter().fold((0.0, 0.0), |(cov, var), (x, y)| {
        (
            cov + (x - mean_x) * (y - mean_y),
            var + (x - mean_x).powi(2),
        )
    });
    (variance > 0.0).then(|| covariance / variance)
}

/// One series' fit over the post-warm-up samples.
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    /// The series (`node-0 rss bytes`, ...).
    pub series: String,
    /// The first post-warm-up sample.
    pub start: f64,
    /// The last sample.
    pub end: f64,
    /// The mean of the post-warm-up samples.
    pub mean: f64,
    /// The fitted slope, per hour.
    pub slope_per_hour: f64,
    /// The fitted growth over the post-warm-up span.
    pub growth: f64,
    /// The growth allowed.
    pub tolerance: f64,
    /// Within it.
    pub flat: bool,
}

/// Fits `samples` (seconds, value) taken at or after `warmup_s`; flat when the growth is within
/// `tolerance_pct` of the mean or within `floor`. `None` with fewer than three such samples.
pub fn fit(
    series: &str,
    samples: &[(f64, f64)],
    warmup_s: f64,
    tolerance_pct: f64,
    floor: f64,
) -> Option<Fit> {
    let after: Vec<(f64, f64)> = samples
        .iter()
        .copied()
        .filter(|(t, _)| *t >= warmup_s)
        .collect();
    if after.len() < 3 {
        return None;
    }
    let per_second = slope(&after)?;
    let span = after.last()?.0 - after.first()?.0;
    let mean = after.iter().map(|(_, y)| y).sum::<f64>() / after.len() as f64;
    let growth = per_second * span;
    let tolerance = (mean.abs() * tolerance_pct / 100.0).max(floor);
    Some(Fit {
        series: series.to_owned(),
        start: after.first()?.1,
        end: after.last()?.1,
        mean,
        slope_per_hour: per_second * 3600.0,
        growth,
        tolerance,
        flat: growth.abs() <= tolerance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slope_of_a_line_is_exact() {
        let line: Vec<(f64, f64)> = (0..10)
            .map(|x| (f64::from(x), 3.0 * f64::from(x) + 7.0))
            .collect();
        assert!((slope(&line).unwrap() - 3.0).abs() < 1e-9);
        assert_eq!(slope(&[(1.0, 2.0)]), None);
        assert_eq!(slope(&[(1.0, 2.0), (1.0, 3.0)]), None);
    }

    #[test]
    fn flat_noise_is_flat_and_a_leak_is_not() {
        let noisy: Vec<(f64, f64)> = (0..60)
            .map(|minute| {
                let wobble = if minute % 2 == 0 {
                    300_000.0
                } else {
                    -300_000.0
                };
                (f64::from(minute) * 60.0, 40_000_000.0 + wobble)
            })
            .collect();
        let fitted = fit("rss", &noisy, 600.0, 5.0, 2.0 * 1048576.0).unwrap();
        assert!(fitted.flat, "{fitted:?}");
        // 1 MB a minute: 50 MB over the 50 post-warm-up minutes.
        let leak: Vec<(f64, f64)> = (0..60)
            .map(|minute| (f64::from(minute) * 60.0, 40e6 + f64::from(minute) * 1e6))
            .collect();
        let fitted = fit("rss", &leak, 600.0, 5.0, 2.0 * 1048576.0).unwrap();
        assert!(!fitted.flat, "{fitted:?}");
        assert!((fitted.slope_per_hour - 60e6).abs() < 1.0);
        // The warm-up is left out: a climb during it does not count.
        let settling: Vec<(f64, f64)> = (0..60)
            .map(|minute| {
                (
                    f64::from(minute) * 60.0,
                    if minute < 10 {
                        f64::from(minute) * 4e6
                    } else {
                        40e6
                    },
                )
            })
            .collect();
        assert!(
            fit("rss", &settling, 600.0, 5.0, 2.0 * 1048576.0)
                .unwrap()
                .flat
        );
        assert!(
            fit("rss", &settling[..12], 660.0, 5.0, 1.0).is_none(),
            "too few samples"
        );
    }
}

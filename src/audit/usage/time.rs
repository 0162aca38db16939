//! Instants as AWS prints them (`2026-11-30T12:00:00Z`, `...+00:00`, with or
//! without fractions of a second) and the `--since` window, in seconds since
//! the Unix epoch, UTC.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn number(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `2026-11-30T12:00:00Z`, `2026-11-30T12:00:00.123+02:00`, `2026-11-30 12:00:00`
/// or a date alone (`2026-11-30`, midnight UTC).
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = match text.find(['T', 't', ' ']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let mut parts = date.split('-');
    let (year, month, day) = (
        number(parts.next()?)?,
        number(parts.next()?)?,
        number(parts.next()?)?,
    );
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    if rest.is_empty() {
        return Some(seconds);
    }
    // The zone: `Z`, `+HH:MM`, `-HH:MM`, or none (UTC).
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else if let Some(at) = rest.rfind(['+', '-']) {
        let (h, m) = rest[at + 1..]
            .split_once(':')
            .unwrap_or((&rest[at + 1..], "0"));
        let minutes = number(h)? * 60 + number(m)?;
        let sign = if rest.as_bytes()[at] == b'-' { -1 } else { 1 };
        (&rest[..at], sign * minutes * 60)
    } else {
        (rest, 0)
    };
    let clock = clock.split('.').next()?;
    let mut fields = clock.split(':');
    let hour = number(fields.next()?)?;
    let minute = number(fields.next()?)?;
    let second = fields.next().map_or(Some(0), number)?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    seconds += hour * 3600 + minute * 60 + second - offset;
    Some(seconds)
}

/// `--since`: `90d`, `12h`, `4w`, or an instant.
pub fn since(text: &str, now: i64) -> Option<i64> {
    let text = text.trim();
    let unit = match text.chars().last()? {
        'd' => 86_400,
        'h' => 3_600,
        'w' => 7 * 86_400,
        _ => return parse(text),
    };
    let count = number(&text[..text.len() - 1])?;
    Some(now - count.checked_mul(unit)?)
}

/// `2026-11-30T12:00:00Z`.
pub fn format(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let rest = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The date alone: `2026-11-30`.
pub fn date(seconds: i64) -> String {
    format(seconds)[..10].to_string()
}

/// Now, from the system clock.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_zones() {
        let t = parse("2026-11-30T12:34:56Z");
        assert_eq!(t.map(format).as_deref(), Some("2026-11-30T12:34:56Z"));
        assert_eq!(parse("2026-11-30T14:34:56+02:00"), t);
        assert_eq!(parse("2026-11-30T12:34:56.789000+00:00"), t);
        assert_eq!(parse("1970-01-01"), Some(0));
        assert_eq!(
            parse("2024-02-29T00:00:00Z").map(date).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(parse("2026-13-01"), None);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2026-11-30T25:00:00Z"), None);
    }

    #[test]
    fn since_takes_durations_and_instants() {
        let now = parse("2026-12-01T00:00:00Z").unwrap_or(0);
        assert_eq!(since("90d", now), Some(now - 90 * 86_400));
        assert_eq!(since("2w", now), Some(now - 14 * 86_400));
        assert_eq!(since("2026-11-01", now), parse("2026-11-01"));
        assert_eq!(since("d", now), None);
    }
}

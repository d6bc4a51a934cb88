//! Due dates (`2026-12-01`, `+7d`, `+2w`, `today`): any text against any
//! "today" chrono can hold is refused or accepted without a panic, and an
//! accepted date is storable (reads back as written).
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use sev::domain::parse_due;

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    // Four bytes pick "today": zero is 2024-04-21, and the i32 range covers
    // every date chrono can hold (and some it cannot, which are skipped).
    let day = 739_000_i64 + i64::from(i32::from_le_bytes(*head));
    let Some(today) = i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
    else {
        return;
    };
    if let Ok(Some(d)) = parse_due(s, today) {
        let shown = d.to_string();
        assert_eq!(parse_due(&shown, today), Ok(Some(d)), "{s:?} → {shown}");
    }
});

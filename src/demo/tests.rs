use super::*;
use chrono::TimeZone;

#[test]
fn generated_incidents_are_consistent() {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let all: Vec<_> = Generator::new(3000, 7, now).collect();
    assert_eq!(all.len(), 3000);
    let mut states = std::collections::HashSet::new();
    let mut events = 0;
    let mut sev1 = 0;
    for item in &all {
        let (inc, ev) = (&item.incident, &item.events);
        states.insert(inc.status);
        events += ev.len();
        sev1 += usize::from(inc.severity == Severity::Sev1);
        let ms: Vec<_> = inc.milestones().into_iter().flatten().collect();
        assert!(ms.windows(2).all(|w| w[0] <= w[1]), "{inc:?}");
        assert!(ev.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(inc.created_at <= now && inc.updated_at <= now);
        assert_eq!(
            inc.resolution.is_some(),
            matches!(inc.status, Status::Resolved | Status::Closed)
        );
    }
    assert_eq!(
        states.len(),
        Status::ALL.len(),
        "every state appears: {states:?}"
    );
    let avg = events as f64 / all.len() as f64;
    assert!(
        (6.0..14.0).contains(&avg),
        "about ten events each, got {avg}"
    );
    assert!(sev1 < 3000 / 10);
    // Deterministic.
    let again: Vec<_> = Generator::new(3000, 7, now).take(5).collect();
    assert_eq!(again[4].incident.title, all[4].incident.title);
    // Severe finished incidents come with their learning; closed ones meet
    // the default close policy.
    let policy = crate::config::Config::builtin().postmortem;
    let mut with_pm = 0;
    for item in &all {
        let inc = &item.incident;
        if inc.status == Status::Closed {
            let blockers = policy.close_blockers(inc, item.postmortem.as_ref(), &item.actions);
            assert!(blockers.is_empty(), "{}: {blockers:?}", inc.title);
        }
        with_pm += usize::from(item.postmortem.is_some());
        assert!(item.postmortem.is_none() || inc.severity <= Severity::Sev2);
    }
    assert!(with_pm > 100, "postmortems for the severe ones: {with_pm}");
}

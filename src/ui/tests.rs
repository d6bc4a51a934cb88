//! Rendered-buffer tests: what a person sees at 80×24 and 120×40.

use crate::app::App;
use crate::app::tests::Harness;
use crate::domain::{NewIncident, Severity};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Render the app into a test terminal and return the screen as text.
pub(crate) fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| super::render(app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub(crate) fn render_help_text(app: &App) -> String {
    let theme = super::theme::Theme { color: false };
    super::help::lines(app, &theme)
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn demo(n: usize) -> Harness {
    let mut h = Harness::new();
    let items: Vec<_> = crate::demo::Generator::new(n, 7, crate::app::tests::t0()).collect();
    h.app.store.insert_batch(&items).unwrap();
    h.app.reload().unwrap();
    h
}

fn sized(h: &mut Harness, w: u16, ht: u16) -> String {
    h.app.resize(w, ht);
    screen(&h.app, w, ht)
}

#[test]
fn list_at_80x24() {
    let mut h = demo(60);
    insta::assert_snapshot!("list_80x24", sized(&mut h, 80, 24));
}

#[test]
fn detail_at_80x24() {
    let mut h = demo(60);
    h.app.resize(80, 24);
    h.keys("j enter");
    insta::assert_snapshot!("detail_80x24", screen(&h.app, 80, 24));
}

#[test]
fn list_and_detail_side_by_side_at_120x40() {
    let mut h = demo(60);
    h.app.resize(120, 40);
    h.keys("j");
    insta::assert_snapshot!("list_detail_120x40", screen(&h.app, 120, 40));
}

#[test]
fn help_at_80x24_and_120x40() {
    let mut h = demo(10);
    h.keys("?");
    insta::assert_snapshot!("help_80x24", sized(&mut h, 80, 24));
    insta::assert_snapshot!("help_120x40", sized(&mut h, 120, 40));
}

#[test]
fn new_incident_form_at_80x24_and_120x40() {
    let mut h = demo(10);
    h.keys("n");
    h.type_text("Checkout returns 502s");
    h.keys("tab");
    h.type_text("EU customers only since 03:05");
    h.keys("tab tab tab tab left");
    insta::assert_snapshot!("form_80x24", sized(&mut h, 80, 24));
    insta::assert_snapshot!("form_120x40", sized(&mut h, 120, 40));
}

#[test]
fn too_small_terminal_says_so() {
    let mut h = demo(3);
    let s = sized(&mut h, 50, 10);
    assert!(s.contains("Terminal too small: 50×10"), "{s}");
}

#[test]
fn hostile_text_renders_without_control_characters() {
    let mut h = Harness::new();
    let evil = "pwn \u{1b}]0;owned\u{7}\u{1b}[2J \u{202e}gnp.exe\u{200b} \u{9b}31m\tTAB";
    h.app
        .ctx()
        .create(&NewIncident {
            title: evil.into(),
            description: format!("{evil}\nline two"),
            service: Some("svc\u{1b}[5m".into()),
            severity: Some(Severity::Sev1),
            ..Default::default()
        })
        .unwrap();
    h.app.reload().unwrap();
    let id = h.app.list.selected_id().unwrap();
    h.app.ctx().note(id, evil).unwrap();
    h.app.reload().unwrap();
    for (w, ht, keys) in [
        (80, 24, ""),
        (80, 24, "enter"),
        (140, 40, ""),
        (80, 24, "D"),
    ] {
        if !keys.is_empty() {
            h.keys(keys);
        }
        h.app.resize(w, ht);
        let mut t = Terminal::new(TestBackend::new(w, ht)).unwrap();
        t.draw(|f| super::render(&h.app, f)).unwrap();
        for cell in t.backend().buffer().content.iter() {
            assert!(
                crate::text::is_clean(cell.symbol()),
                "unsafe cell {:?} ({keys})",
                cell.symbol()
            );
        }
        let s = screen(&h.app, w, ht);
        // Text we show is sanitized visibly; the editor (D) shows raw text,
        // which the final buffer scrub turns into '?'.
        assert!(
            s.contains("^[") || keys == "D",
            "escape shown visibly ({keys}): {s}"
        );
        h.keys("esc");
    }
}

/// Every character a terminal may hide, reorder with, or draw at a width
/// ratatui does not expect.
const INVISIBLE_CORPUS: &str = "a\u{2028}b\u{2029}c\u{3164}d\u{115F}e\u{1160}f\u{FFA0}g\u{034F}h\u{FE0F}i\u{E0100}j\u{E0041}\u{E007F}k\u{206A}l\u{180E}m\u{17B4}n\u{200D}o\u{202E}p\u{2066}q\u{0085}r\u{009B}s";

#[test]
fn separators_fillers_and_tags_render_visibly_and_keep_the_screen_in_step() {
    let mut h = Harness::new();
    // Stored as is (an older sev, another tool, a restore): input folding
    // would have turned the separators into spaces.
    let mut inc = crate::ops::build(
        &NewIncident {
            title: "x".into(),
            severity: Some(Severity::Sev1),
            ..Default::default()
        },
        &h.app.config,
        "alice",
        crate::app::tests::t0(),
    )
    .unwrap();
    inc.title = format!("T {INVISIBLE_CORPUS} end");
    inc.description = format!("{INVISIBLE_CORPUS}\nline two");
    inc.service = Some(format!("s{INVISIBLE_CORPUS}"));
    let id = h.app.store.insert(&inc, "al\u{3164}ice").unwrap().id;
    h.app.ctx().note(id, INVISIBLE_CORPUS).unwrap();
    h.app.reload().unwrap();
    for (w, ht, keys) in [(80, 24, ""), (80, 24, "enter"), (160, 40, "")] {
        if !keys.is_empty() {
            h.keys(keys);
        }
        h.app.resize(w, ht);
        let mut t = Terminal::new(TestBackend::new(w, ht)).unwrap();
        t.draw(|f| super::render(&h.app, f)).unwrap();
        for cell in t.backend().buffer().content.iter() {
            assert!(
                cell.symbol()
                    .chars()
                    .all(|c| !c.is_control() && !crate::text::is_invisible(c)),
                "raw {:?} in the buffer ({w}x{ht} {keys})",
                cell.symbol()
            );
        }
        let s = screen(&h.app, w, ht);
        // Shown as text whose width the terminal and ratatui agree on (at
        // 80 columns the list's title column holds only the start of it).
        let shown = if w == 80 && keys.is_empty() {
            "T a<U+2028>b<U+2029>c<U"
        } else {
            "a<U+2028>b<U+2029>c<U+3164>d"
        };
        assert!(s.contains(shown), "({keys}) {s}");
        h.keys("esc");
    }
}

#[test]
fn postmortem_pane_at_80x24() {
    let mut h = Harness::new();
    let cx = h.app.ctx();
    let inc = cx
        .create(&NewIncident {
            title: "Payments down everywhere".into(),
            severity: Some(Severity::Sev1),
            ..Default::default()
        })
        .unwrap();
    cx.transition(
        inc.id,
        &crate::domain::Transition::Resolve {
            summary: "failed over".into(),
        },
        None,
    )
    .unwrap();
    cx.set_section(
        inc.id,
        "summary",
        "Payments failed for 25 minutes in every region.",
    )
    .unwrap();
    cx.add_action(
        inc.id,
        &crate::ops::NewAction {
            description: "Automate failover".into(),
            owner: Some("bob".into()),
            due: Some("2026-12-01".into()),
            ..Default::default()
        },
    )
    .unwrap();
    h.app.reload().unwrap();
    h.keys("f");
    h.keys("P");
    insta::assert_snapshot!("postmortem_80x24", sized(&mut h, 80, 24));
}

#[test]
fn a_corrupt_row_leaves_the_rest_of_the_list_and_is_named() {
    let mut h = Harness::new();
    h.seed(&[
        ("Alpha outage", Severity::Sev2),
        ("Bravo outage", Severity::Sev2),
        ("Charlie outage", Severity::Sev2),
    ]);
    h.app
        .store
        .corrupt_title_for_test(crate::domain::IncidentId(2));
    // A session started on the damaged file (what showed an empty list).
    let app = App::new(
        h.other(),
        h.app.config.clone(),
        crate::keymap::Keymap::defaults(),
        h.app.clock.clone(),
        "bob".into(),
    )
    .unwrap();
    let s = screen(&app, 120, 30);
    assert!(
        s.contains("Alpha outage") && s.contains("Charlie outage"),
        "readable rows must stay on screen:\n{s}"
    );
    assert!(
        s.contains("INC-2 is unreadable") && s.contains("restore a backup"),
        "the bad row is named in the status line:\n{s}"
    );
}

/// One incident of each kind, each owned and on a service; the security one
/// has enough tags to wrap its detail line.
fn one_of_each_kind() -> Harness {
    use crate::domain::Kind;
    let mut h = Harness::new();
    let cx = h.app.ctx();
    for (title, kind, severity, service, who) in [
        (
            "Leaked deploy key found in a public repository",
            Kind::Security,
            Severity::Sev1,
            "auth-gateway",
            "mallory",
        ),
        (
            "Failover drill nearly promoted a stale replica",
            Kind::NearMiss,
            Severity::Sev3,
            "postgres",
            "bob",
        ),
        (
            "Checkout returns 502s for EU customers",
            Kind::Incident,
            Severity::Sev2,
            "checkout",
            "carol",
        ),
    ] {
        cx.create(&NewIncident {
            title: title.into(),
            kind: Some(kind),
            severity: Some(severity),
            service: Some(service.into()),
            assignee: Some(who.into()),
            tags: if kind == Kind::Security {
                [
                    "credentials",
                    "rotation",
                    "customer-facing",
                    "github",
                    "pci",
                ]
                .map(String::from)
                .to_vec()
            } else {
                vec![]
            },
            ..Default::default()
        })
        .unwrap();
    }
    h.app.reload().unwrap();
    h
}

/// The list part of each screen line (left of the details' border).
fn list_part(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.split('│').next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn owner_and_service_stay_in_the_list_from_120_to_139_columns() {
    let mut h = one_of_each_kind();
    for w in [120, 125, 130, 139] {
        let s = sized(&mut h, w, 40);
        let list = list_part(&s);
        assert!(
            list[1].contains("SERVICE") && list[1].contains("ASSIGNEE"),
            "{w} columns:\n{s}"
        );
        for who in ["mallory", "bob", "carol"] {
            assert!(
                list.iter().any(|l| l.contains(who)),
                "{who} missing at {w}:\n{s}"
            );
        }
        assert!(list.iter().any(|l| l.contains("auth-g")), "{w}:\n{s}");
    }
}

#[test]
fn the_owner_is_shown_at_80_and_at_the_narrowest_size() {
    let mut h = one_of_each_kind();
    for w in [60, 80, 100] {
        let s = sized(&mut h, w, 24);
        assert!(s.contains("ASSIGNEE") && s.contains("mallory"), "{w}:\n{s}");
    }
}

#[test]
fn a_kind_marker_shows_security_and_near_misses_without_colour() {
    let mut h = one_of_each_kind();
    h.app.color = false;
    for (w, ht) in [(80, 24), (130, 40)] {
        let s = sized(&mut h, w, ht);
        let list = list_part(&s);
        assert!(list[1].contains("REF   K SEV"), "{s}");
        let row = |t: &str| {
            list.iter()
                .find(|l| l.contains(t))
                .cloned()
                .unwrap_or_else(|| panic!("no row for {t}:\n{s}"))
        };
        assert!(row("Leaked deploy").contains("INC-1 S SEV1"), "{s}");
        assert!(row("Failover drill").contains("INC-2 N SEV3"), "{s}");
        assert!(row("Checkout returns").contains("INC-3   SEV2"), "{s}");
    }
    let help = render_help_text(&h.app);
    assert!(
        help.contains("K: S security, N near miss"),
        "? explains the marker:\n{help}"
    );
}

#[test]
fn wrapped_detail_lines_indent_under_their_label() {
    let mut h = one_of_each_kind();
    h.app.resize(130, 40);
    while h.app.list.selected_id() != Some(crate::domain::IncidentId(1)) {
        h.keys("j");
    }
    let s = screen(&h.app, 130, 40);
    let detail: Vec<&str> = s
        .lines()
        .map(|l| l.split_once('│').map_or("", |(_, d)| d))
        .collect();
    let at = detail
        .iter()
        .position(|l| l.starts_with("reporter"))
        .unwrap_or_else(|| panic!("no reporter line:\n{s}"));
    let next = detail[at + 1];
    assert!(
        next.starts_with(&" ".repeat(10)) && next.chars().nth(10).is_some_and(|c| c != ' '),
        "the wrapped tags start under the value column:\n{s}"
    );
    insta::assert_snapshot!("list_detail_130x40", s);
}

#[test]
fn help_keys_never_run_into_their_description() {
    let h = demo(3);
    let lines = crate::app::help::lines(&h.app);
    let mut long = 0;
    for l in &lines {
        if let crate::app::help::HelpLine::Binding { keys, desc } = l {
            let text = l.text();
            let after = text
                .strip_prefix(&format!("  {keys}"))
                .unwrap_or_else(|| panic!("{text:?}"));
            assert!(after.starts_with("  "), "{text:?}");
            assert!(after.ends_with(desc.as_str()), "{text:?}");
            if unicode_width::UnicodeWidthStr::width(keys.as_str()) >= 15 {
                long += 1;
            }
        }
    }
    // The default keymap has such lists (`pgdn space ctrl-d`): the case is real.
    assert!(long > 0, "no key list fills the column any more");
    let help = render_help_text(&h.app);
    assert!(help.contains("pgdn space ctrl-d  page down"), "{help}");
}

mod hang_props {
    use super::super::detail::hang;
    use proptest::prelude::*;
    use ratatui::text::{Line, Span};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Wrapped rows fit, keep every non-space character in order, and
        /// rows after the first start at the indent.
        #[test]
        fn rows_fit_and_lose_nothing(
            parts in proptest::collection::vec("[a-z ]{0,12}|[界é\u{301}]{0,3}|[ ]{1,4}", 1..8),
            indent in 0usize..14,
            width in 2usize..40,
        ) {
            let line = Line::from(parts.iter().map(|p| Span::raw(p.clone())).collect::<Vec<_>>());
            let text: String = parts.concat();
            let rows = hang(line, indent, width);
            let eff = if indent + 10 <= width { indent } else { 0 };
            for (i, r) in rows.iter().enumerate() {
                prop_assert!(r.width() <= width, "row {i} {:?} wider than {width}: {rows:?}", r.to_string());
                if i > 0 {
                    let s = r.to_string();
                    prop_assert!(s.starts_with(&" ".repeat(eff)), "{s:?}");
                    prop_assert!(!s[eff..].starts_with(' ') || s.trim().is_empty(), "row {i} starts with a space: {s:?} in {rows:?}");
                }
            }
            let kept: String = rows.iter().map(|r| r.to_string()).collect::<String>().chars().filter(|c| *c != ' ').collect();
            let want: String = text.chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(kept, want);
        }
    }
}

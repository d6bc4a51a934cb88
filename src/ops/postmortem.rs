//! Postmortem and action-item verbs, shared by the CLI and the TUI.

use super::Ctx;
use crate::domain::{
    self, ActionId, ActionItem, ActionKind, ActionStatus, FieldChange, IncidentId, Mark, PmStatus,
    Postmortem, parse_due, parse_section, validate_user,
};
use crate::error::{Error, Result};
use chrono::NaiveDate;

/// What a person gives to add an action item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAction {
    pub description: String,
    pub kind: Option<ActionKind>,
    pub owner: Option<String>,
    pub due: Option<String>,
}

/// One change of an action item, typed: type and status are parsed when
/// the edit is made; owner and due are checked when it is applied (a
/// relative due date needs today).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionEdit {
    Description(String),
    Kind(ActionKind),
    /// A login name, or empty / `-` to clear.
    Owner(String),
    /// `2026-12-01`, `+7d`, `tomorrow`… or empty / `-` to clear.
    Due(String),
    Status(ActionStatus),
}

/// `owner=alice`, `due=+7d`, `status=done`, `type=prevent`, `description=…`
pub fn parse_action_assignment(s: &str) -> Result<ActionEdit> {
    let (k, v) = s.split_once('=').ok_or_else(|| {
        Error::Usage(format!(
            "'{}' is not field=value: write e.g. owner=alice, due=+7d, status=done",
            crate::text::sanitize_line(s)
        ))
    })?;
    let v = v.trim();
    Ok(match k.trim().to_ascii_lowercase().as_str() {
        "description" | "desc" => ActionEdit::Description(v.to_string()),
        "type" | "kind" => ActionEdit::Kind(v.parse()?),
        "owner" => ActionEdit::Owner(v.to_string()),
        "due" => ActionEdit::Due(v.to_string()),
        "status" => ActionEdit::Status(v.parse()?),
        _ => {
            return Err(Error::Usage(format!(
                "unknown action field '{}': use description, type, owner, due or status",
                crate::text::sanitize_line(k)
            )));
        }
    })
}

fn opt_user(v: &str) -> Result<Option<String>> {
    let v = v.trim();
    if v.is_empty() || v == "-" {
        return Ok(None);
    }
    validate_user(v)?;
    Ok(Some(v.to_string()))
}

fn change(field: &'static str, old: Option<String>, new: Option<String>) -> Option<FieldChange> {
    (old != new).then_some(FieldChange { field, old, new })
}

/// What writing a postmortem section did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionWrite {
    Saved,
    Cleared,
    Unchanged,
}

impl SectionWrite {
    /// "INC-4 postmortem: root-cause saved" and the like.
    pub fn describe(self, id: IncidentId, key: &str) -> String {
        match self {
            SectionWrite::Saved => format!("{id} postmortem: {key} saved"),
            SectionWrite::Cleared => format!("{id} postmortem: {key} cleared"),
            SectionWrite::Unchanged => {
                format!("{id} postmortem: {key} unchanged (it already had this text)")
            }
        }
    }
}

impl Ctx<'_> {
    /// Today in the user's time zone (for due dates).
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Write one section (empty text clears it).
    pub fn set_section(&self, id: IncidentId, key: &str, text: &str) -> Result<Postmortem> {
        self.write_section(id, key, text).map(|(pm, _)| pm)
    }

    /// Write one section and say what that did (saved, cleared, or nothing
    /// because the text was already there), so nobody is told "saved" when
    /// nothing was.
    pub fn write_section(
        &self,
        id: IncidentId,
        key: &str,
        text: &str,
    ) -> Result<(Postmortem, SectionWrite)> {
        let section = parse_section(key)?;
        let text = text.trim_end().to_string();
        let mut outcome = SectionWrite::Unchanged;
        let pm = self
            .store
            .modify_postmortem(id, &self.actor, self.now(), |pm, _| {
                let old = pm
                    .sections
                    .get(section.key)
                    .cloned()
                    .filter(|t| !t.trim().is_empty());
                let new = Some(text.clone()).filter(|t| !t.trim().is_empty());
                match &new {
                    Some(t) => pm.sections.insert(section.key.to_string(), t.clone()),
                    None => pm.sections.remove(section.key),
                };
                let ch = change(section.key, old, new.clone());
                if ch.is_some() {
                    outcome = match new {
                        Some(_) => SectionWrite::Saved,
                        None => SectionWrite::Cleared,
                    };
                }
                Ok(ch.into_iter().collect())
            })?;
        Ok((pm, outcome))
    }

    pub fn set_pm_owner(&self, id: IncidentId, owner: &str) -> Result<Postmortem> {
        let owner = opt_user(owner)?;
        self.store
            .modify_postmortem(id, &self.actor, self.now(), |pm, _| {
                let old = pm.owner.clone();
                pm.owner = owner.clone();
                Ok(change("owner", old, owner).into_iter().collect())
            })
    }

    pub fn set_pm_status(&self, id: IncidentId, status: PmStatus) -> Result<Postmortem> {
        self.store.modify_postmortem(id, &self.actor, self.now(), |pm, now| {
            let old = pm.status;
            if status == PmStatus::Published && pm.text("summary").is_none() && pm.text("root-cause").is_none() {
                return Err(Error::Usage(format!(
                    "the postmortem of {id} is empty: write at least the summary or the root cause before publishing"
                )));
            }
            pm.status = status;
            pm.published_at = (status == PmStatus::Published).then_some(now);
            Ok(change("status", Some(old.to_string()), Some(status.to_string())).into_iter().collect())
        })
    }

    pub fn set_mark(&self, id: IncidentId, event_id: i64, mark: &Mark) -> Result<()> {
        self.store
            .set_mark(id, event_id, mark, &self.actor, self.now())
    }

    pub fn add_action(&self, id: IncidentId, new: &NewAction) -> Result<ActionItem> {
        let description = crate::text::fold_lines(&new.description).trim().to_string();
        if description.is_empty() {
            return Err(Error::Usage(
                "the action item needs a description: what will be done".into(),
            ));
        }
        let owner = match &new.owner {
            Some(o) => opt_user(o)?,
            None => None,
        };
        let due = match &new.due {
            Some(d) => parse_due(d, self.today())?,
            None => None,
        };
        let now = self.now();
        self.store.add_action(
            &ActionItem {
                id: ActionId(0),
                incident: id,
                description,
                kind: new.kind.unwrap_or(ActionKind::Prevent),
                owner,
                due,
                status: ActionStatus::Open,
                created_at: now,
                updated_at: now,
                done_at: None,
                version: 1,
            },
            &self.actor,
        )
    }

    pub fn edit_action(&self, id: ActionId, edits: &[ActionEdit]) -> Result<ActionItem> {
        if edits.is_empty() {
            return Err(Error::Usage(
                "nothing to set: give one or more field=value".into(),
            ));
        }
        let today = self.today();
        self.store.modify_action(id, &self.actor, self.now(), |a| {
            let mut out = Vec::new();
            for e in edits {
                out.extend(apply_action_edit(a, e, today)?);
            }
            Ok(out)
        })
    }

    pub fn action_done(&self, id: ActionId) -> Result<ActionItem> {
        self.edit_action(id, &[ActionEdit::Status(ActionStatus::Done)])
    }
}

/// Apply one edit to an action item in memory; the change to record, if any.
fn apply_action_edit(
    a: &mut ActionItem,
    e: &ActionEdit,
    today: NaiveDate,
) -> Result<Option<FieldChange>> {
    Ok(match e {
        ActionEdit::Description(v) => {
            if v.trim().is_empty() {
                return Err(Error::Usage(
                    "an action item's description cannot be empty".into(),
                ));
            }
            let old = a.description.clone();
            a.description = crate::text::fold_lines(v).trim().to_string();
            change("description", Some(old), Some(a.description.clone()))
        }
        ActionEdit::Kind(k) => {
            let old = a.kind;
            a.kind = *k;
            change("type", Some(old.to_string()), Some(a.kind.to_string()))
        }
        ActionEdit::Owner(v) => {
            let old = a.owner.clone();
            a.owner = opt_user(v)?;
            change("owner", old, a.owner.clone())
        }
        ActionEdit::Due(v) => {
            let old = a.due.map(|d| d.to_string());
            a.due = parse_due(v, today)?;
            change("due", old, a.due.map(|d| d.to_string()))
        }
        ActionEdit::Status(st) => {
            let old = a.status;
            a.status = *st;
            change("status", Some(old.to_string()), Some(a.status.to_string()))
        }
    })
}

/// Everything the postmortem pane and the export show of one incident.
pub struct PostmortemView {
    pub incident: domain::Incident,
    pub postmortem: Postmortem,
    pub events: Vec<domain::Event>,
    pub marks: std::collections::HashMap<i64, Mark>,
    pub actions: Vec<ActionItem>,
}

impl Ctx<'_> {
    pub fn postmortem_view(&self, id: IncidentId) -> Result<PostmortemView> {
        let incident = self.store.get(id)?;
        let postmortem = self
            .store
            .postmortem(id)?
            .unwrap_or_else(|| Postmortem::new(id, incident.created_at));
        Ok(PostmortemView {
            postmortem,
            events: self.store.events(id)?,
            marks: self.store.marks(id)?,
            actions: self.store.actions(&crate::store::ActionQuery {
                incident: Some(id),
                ..Default::default()
            })?,
            incident,
        })
    }
}

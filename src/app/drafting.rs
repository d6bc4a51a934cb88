//! The app's drafts: what is being typed is saved, snapshotted on a
//! hang-up or crash, and offered back.

use super::*;

impl App {
    pub fn save_drafts(&mut self) {
        self.drafts_dirty = false;
        let Some(path) = &self.drafts_path else {
            return;
        };
        if let Err(e) = drafts::save(path, &self.drafts) {
            self.error(format!(
                "could not save your draft to {}: {e}",
                path.display()
            ));
        }
    }

    pub(super) fn drafts_changed(&mut self) {
        self.drafts_dirty = true;
    }

    /// The drafts as they would be saved now, including whatever text the
    /// open dialog or the `:` line holds.
    pub fn draft_snapshot(&self) -> Drafts {
        let mut d = self.drafts.clone();
        // Every open dialog, also one under a message box.
        for v in &self.stack {
            match v {
                View::Dialog(dlg) => match dlg {
                    Dialog::Form(f) if f.is_dirty() => d.new_incident = Some(f.draft()),
                    Dialog::Prompt(p) if !p.text().trim().is_empty() => {
                        d.prompts.insert(p.draft_key(), p.text());
                    }
                    Dialog::ActionForm(f) if f.is_dirty() => {
                        d.actions.insert(f.draft_key(), f.draft());
                    }
                    // Pickers and the priority matrix hold no typed text.
                    _ => {}
                },
                View::Command { input, .. } if !input.trim().is_empty() => {
                    d.command = Some(input.clone());
                }
                _ => {}
            }
        }
        d
    }

    /// Put whatever is being typed into the drafts (called on quit and
    /// signals, so nothing typed is lost).
    pub fn stash_open_dialog(&mut self) {
        self.drafts = self.draft_snapshot();
        self.save_drafts();
    }
}

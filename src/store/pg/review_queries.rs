//! See `store::review`: the same two reads on PostgreSQL.

use super::Pg;
use crate::domain::IncidentId;
use crate::error::Result;
use crate::store::review::{
    ALERT_FACTS, AlertFact, PM_FACTS, PmFact, ReviewFacts, alert_name, pm_status,
};
use chrono::{DateTime, Utc};

impl Pg {
    pub fn titles(&self, ids: &[IncidentId]) -> Result<crate::store::review::Titles> {
        let list: Vec<i64> = ids.iter().map(|i| i.0).collect();
        Ok(self
            .query(crate::store::review::TITLES_PG, &[Box::new(list)])?
            .iter()
            .map(|r| (IncidentId(r.get(0)), (r.get(1), r.get(2))))
            .collect())
    }

    pub fn review_facts(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<ReviewFacts> {
        let span = || -> Vec<Box<dyn postgres::types::ToSql + Sync>> {
            vec![Box::new(since.timestamp()), Box::new(until.timestamp())]
        };
        let postmortems = self
            .query(PM_FACTS, &span())?
            .iter()
            .map(|r| PmFact {
                incident: IncidentId(r.get(0)),
                status: pm_status(r.get(1)),
                published_at: r
                    .get::<_, Option<i64>>(2)
                    .and_then(|t| DateTime::from_timestamp(t, 0)),
            })
            .collect();
        let alerts = self
            .query(ALERT_FACTS, &span())?
            .iter()
            .map(|r| AlertFact {
                incident: r.get::<_, Option<i64>>(0).map(IncidentId),
                integration: r.get(1),
                key: r.get(2),
                name: alert_name(r.get(3), r.get(4)),
            })
            .collect();
        Ok(ReviewFacts {
            postmortems,
            alerts,
            actions: Vec::new(),
        })
    }
}

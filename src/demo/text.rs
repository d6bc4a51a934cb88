//! The words demo incidents are made of: services, regions, people, and
//! templates for titles, notes, resolutions, root causes and follow-ups.

use crate::domain::{ActionKind, Kind};

pub const SERVICES: &[&str] = &[
    "api-gateway",
    "auth",
    "billing",
    "checkout",
    "search",
    "payments",
    "notifications",
    "cdn",
    "dns",
    "postgres-main",
    "kafka",
    "k8s-prod",
    "object-store",
    "email",
    "mobile-api",
    "web",
    "ledger",
    "inventory",
    "recommendations",
    "observability",
    "vpn",
    "ci-runners",
];

pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "sa-east-1",
];

pub const USERS: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "oscar",
    "peggy", "rupert", "sybil", "trent", "victor", "walter", "yusuf", "zoe", "mei",
];

/// (template, category, kind). `{s}` service, `{r}` region, `{n}` a number, `{u}` a user.
pub const TITLES: &[(&str, &str, Kind)] = &[
    (
        "{s}: elevated 5xx error rate in {r}",
        "software-bug",
        Kind::Incident,
    ),
    (
        "{s} p99 latency above SLO after deploy #{n}",
        "deploy",
        Kind::Incident,
    ),
    (
        "TLS certificate for {s}.example.com expired",
        "certificate",
        Kind::Incident,
    ),
    (
        "DNS resolution failures for {s} in {r}",
        "dns",
        Kind::Incident,
    ),
    (
        "{s} pods crash-looping after config push",
        "config",
        Kind::Incident,
    ),
    (
        "Replication lag on postgres-main exceeds {n} seconds",
        "database",
        Kind::Incident,
    ),
    (
        "Disk full on {s} primary in {r}",
        "capacity",
        Kind::Incident,
    ),
    (
        "BGP session flaps with upstream transit in {r}",
        "network",
        Kind::Incident,
    ),
    (
        "Login failures spike for SSO users",
        "third-party",
        Kind::Incident,
    ),
    (
        "Payment provider timeouts during checkout",
        "third-party",
        Kind::Incident,
    ),
    (
        "Consumer lag growing on kafka topic {s}-events",
        "capacity",
        Kind::Incident,
    ),
    (
        "Memory leak in {s} after release 4.{n}",
        "software-bug",
        Kind::Incident,
    ),
    (
        "Nightly job {s}-reconcile did not run",
        "software-bug",
        Kind::Incident,
    ),
    (
        "Clock skew on {n} hosts after NTP change",
        "config",
        Kind::Incident,
    ),
    (
        "Cache stampede after {s} restart in {r}",
        "capacity",
        Kind::Incident,
    ),
    (
        "Rate limiter throttling legitimate {s} traffic",
        "config",
        Kind::Incident,
    ),
    (
        "Load balancer health checks failing for {s}",
        "network",
        Kind::Incident,
    ),
    (
        "Power loss in one rack of {r} datacenter",
        "hardware",
        Kind::Incident,
    ),
    (
        "Feature flag rollout broke {s} for {n}% of users",
        "deploy",
        Kind::Incident,
    ),
    (
        "Queue workers for {s} stuck on poison message",
        "software-bug",
        Kind::Incident,
    ),
    (
        "Suspicious login attempts against {s} admin from one ASN",
        "security",
        Kind::Security,
    ),
    (
        "API token for {s} committed to a public repository",
        "security",
        Kind::Security,
    ),
    (
        "Canary caught bad {s} build before full rollout",
        "deploy",
        Kind::NearMiss,
    ),
    (
        "Backup restore drill failed for {s}",
        "database",
        Kind::NearMiss,
    ),
    (
        "Expired on-call schedule left {s} unpaged for {n} minutes",
        "config",
        Kind::NearMiss,
    ),
];

pub const NOTES: &[&str] = &[
    "Paged on-call; looking at the {s} dashboards now.",
    "Error rate started at the same minute as deploy #{n}.",
    "Support reports tickets from customers in {r}.",
    "Opened the incident bridge; {u} joins as scribe.",
    "Rolled back {s} to the previous release.",
    "Scaled {s} from 12 to {n} replicas.",
    "Failover to the secondary in {r} completed.",
    "Status page updated: investigating degraded {s}.",
    "Vendor confirmed the issue is on their side.",
    "Graphs back to baseline for 15 minutes.",
    "Found a config change merged 20 minutes before the first alert.",
    "Customer-facing impact confirmed for roughly {n}% of requests.",
    "Paused the deploy pipeline until this is understood.",
    "Drained traffic away from {r}.",
];

pub const RESOLUTIONS: &[&str] = &[
    "Rolled back the release and added a canary check.",
    "Renewed the certificate and added expiry alerting.",
    "Failed over to the replica; primary rebuilt.",
    "Raised the connection pool limit and added a saturation alert.",
    "Upstream provider fixed the fault on their side.",
    "Reverted the config change.",
    "Added capacity and tuned autoscaling thresholds.",
    "False alarm: the monitoring check itself was misconfigured.",
    "Restarted the stuck workers and skipped the poison message.",
];

pub const ROOT_CAUSES: &[(&str, &str)] = &[
    (
        "config",
        "A configuration change went to every host at once: config pushes have no canary stage.",
    ),
    (
        "deploy",
        "The release carried a regression no test covered, and the rollout had no automatic rollback.",
    ),
    (
        "certificate",
        "Renewal depended on a manual step that nobody owned after a team change.",
    ),
    (
        "database",
        "Replication depended on a single primary and failover was manual.",
    ),
    (
        "capacity",
        "Autoscaling limits were set for last year's peak traffic.",
    ),
    (
        "network",
        "All of the region's traffic used a single upstream path.",
    ),
    (
        "dns",
        "A record change propagated before the new targets were healthy.",
    ),
    (
        "hardware",
        "Both power feeds of the rack shared one upstream breaker.",
    ),
    (
        "software-bug",
        "An unbounded retry loop turned a small error rate into an overload.",
    ),
    (
        "third-party",
        "The provider's outage had no fallback path on our side.",
    ),
    (
        "security",
        "A long-lived credential had far broader scope than the job needed.",
    ),
];

pub const LESSONS: &[&str] = &[
    "Changes that reach every host at once need a canary, however small they look.",
    "Alerting on symptoms per region would have paged us ten minutes earlier.",
    "The runbook was out of date: runbooks need an owner and a review date.",
    "Failover we never practise is failover that does not work.",
];

pub const ACTIONS: &[(&str, ActionKind)] = &[
    ("Add a canary stage to config pushes", ActionKind::Prevent),
    ("Alert on per-region error rate", ActionKind::Detect),
    (
        "Automate failover and test it monthly",
        ActionKind::Mitigate,
    ),
    (
        "Write the runbook for this failure mode",
        ActionKind::Process,
    ),
    ("Roll back automatically on SLO burn", ActionKind::Mitigate),
    (
        "Rotate credentials automatically and narrow their scope",
        ActionKind::Prevent,
    ),
    ("Load-test before seasonal peaks", ActionKind::Prevent),
    (
        "Page on certificate expiry 30 days ahead",
        ActionKind::Detect,
    ),
];

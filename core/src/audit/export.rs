//! Exports: CSV (formulas defused) and JSON, each event with its count and chain value.
use super::query::AuditEvent;
use crate::clock::rfc3339;

/// CSV with a header row; fields that a spreadsheet would run as a formula are defused.
pub fn to_csv(events: &[AuditEvent]) -> String {
    let mut out = String::from("id,time,actor,action,target,details,count,chain\n");
    for event in events {
        let fields = [
            event.id.to_string(),
            rfc3339(event.at),
            event.actor.clone(),
            event.action.clone(),
            event.target.clone(),
            event.details.clone(),
            event.count.to_string(),
            event.chain.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn csv_field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// JSON: an array of events with RFC 3339 times, each with its count and chain value.
pub fn to_json(events: &[AuditEvent]) -> serde_json::Value {
    events
        .iter()
        .map(|e| {
            serde_json::json!({
                "id": e.id, "time": rfc3339(e.at), "actor": e.actor, "action": e.action,
                "target": e.target, "details": e.details, "count": e.count, "chain": e.chain,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let event = AuditEvent {
            id: 1,
            at: 0,
            actor: "=cmd|' /C calc'!A0".into(),
            action: "token.created".into(),
            target: "a,b".into(),
            details: "say \"hi\"".into(),
            count: 2,
            chain: "00ff".into(),
        };
        let csv = to_csv(&[event]);
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "1,1970-01-01T00:00:00Z,'=cmd|' /C calc'!A0,token.created,\"a,b\",\"say \
                \"\"hi\"\"\",2,00ff"
        );
    }
}

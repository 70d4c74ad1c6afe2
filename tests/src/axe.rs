//! axe-core run inside the real window: the UI's npm devDependency (`ui/node_modules/axe-core`),
//! injected through WebDriver's execute-script (nothing is fetched), with the WCAG 2.0, 2.1 and 2.2
//! A/AA rules and axe's best practices.
use std::fmt::Write;

use crate::app::AppSession;

pub const TAGS: [&str; 6] = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "best-practice",
];

/// axe.min.js from the UI's node_modules.
pub fn source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} ({e}): run `npm --prefix ui ci` first", path.display()))
}

/// One rule broken, with the elements that break it and axe's words on how to fix each.
#[derive(Debug, Clone)]
pub struct Violation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub nodes: Vec<String>,
}

const RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
  .then(r => done({ violations: r.violations.map(v => ({
      rule: v.id, impact: v.impact || '', help: v.help,
      nodes: v.nodes.map(n => n.target.join(' ') + ': '
        + n.failureSummary.replace(/\\s+/g, ' ')) })) }),
    e => done({ error: String(e) }));";

/// Runs axe on the whole page as it is now (dialogs included) and returns what it found.
pub async fn violations(app: &AppSession, axe: &str) -> Vec<Violation> {
    let loaded = app
        .client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .expect("look for axe");
    if loaded != serde_json::Value::Bool(true) {
        app.client
            .execute(&format!("{axe}\n;return true;"), vec![])
            .await
            .expect("inject axe-core");
    }
    let answer = app
        .client
        .execute_async(RUN, vec![serde_json::json!(TAGS)])
        .await
        .expect("run axe");
    if let Some(error) = answer.get("error") {
        panic!("axe failed: {error}");
    }
    answer["violations"]
        .as_array()
        .expect("axe's violations")
        .iter()
        .map(|v| Violation {
            rule: v["rule"].as_str().unwrap_or_default().into(),
            impact: v["impact"].as_str().unwrap_or_default().into(),
            help: v["help"].as_str().unwrap_or_default().into(),
            nodes: v["nodes"]
                .as_array()
                .map(|n| {
                    n.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The violations as a reader wants them: rule, impact, help, then each element and its fix.
pub fn describe(place: &str, found: &[Violation]) -> String {
    let mut text = String::new();
    for v in found {
        let _ = writeln!(text, "{place}: {} ({}): {}", v.rule, v.impact, v.help);
        for node in &v.nodes {
            let _ = writeln!(text, "    {node}");
        }
    }
    text
}

//! Takes the README's screenshots of every screen and dialog, light and dark, from the real app
//! with the demo organisation, and the animated create → reveal → revoke image (frames from the
//! window, joined by ImageMagick). Run it with `scripts/screenshots` (Xvfb, D-Bus, tauri-driver).
use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::Locator;
use latchkey_tests::app::AppSession;
use latchkey_tests::demo::{self, DEMO_ADMIN, DEMO_PASSWORD};
use latchkey_tests::*;

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
}

async fn settle() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

async fn theme(app: &AppSession, theme: &str) {
    app.client
        .execute(
            &format!("document.documentElement.dataset.theme = '{theme}';"),
            vec![],
        )
        .await
        .expect("switch the theme");
}

async fn shoot(app: &AppSession, name: &str) {
    for which in ["light", "dark"] {
        theme(app, which).await;
        settle().await;
        let png = app.client.screenshot().await.expect("screenshot");
        let path = folder().join(format!("{name}-{which}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        println!("wrote {}", path.display());
    }
    theme(app, "light").await;
}

/// The frames of the animation, each shown for `delay` hundredths of a second.
struct Film {
    dir: tempfile::TempDir,
    frames: Vec<(PathBuf, u32)>,
}

impl Film {
    async fn frame(&mut self, app: &AppSession, delay: u32) {
        settle().await;
        let path = self
            .dir
            .path()
            .join(format!("frame-{:02}.png", self.frames.len()));
        std::fs::write(&path, app.client.screenshot().await.expect("frame")).expect("write frame");
        self.frames.push((path, delay));
    }

    fn save(&self, name: &str) {
        let path = folder().join(name);
        let mut convert = std::process::Command::new("convert");
        convert.args(["-loop", "0"]);
        for (frame, delay) in &self.frames {
            convert.args(["-delay", &delay.to_string()]).arg(frame);
        }
        convert
            .args(["-resize", "800x", "-layers", "Optimize"])
            .arg(&path);
        let status = convert.status().expect("run ImageMagick's convert");
        assert!(status.success(), "convert failed");
        println!("wrote {}", path.display());
    }
}

/// Types like a person, a few letters a frame.
async fn type_slowly(app: &AppSession, film: &mut Film, id: &str, text: &str) {
    let field = app.test_id(id).await;
    for chunk in text.as_bytes().chunks(6) {
        field
            .send_keys(std::str::from_utf8(chunk).unwrap())
            .await
            .expect("type");
        film.frame(app, 40).await;
    }
}

async fn row_button(app: &AppSession, name: &str, id: &str) -> fantoccini::elements::Element {
    app.client
        .find(Locator::XPath(&format!(
            "//tr[td[1][normalize-space()='{name}']]//button[@data-testid='{id}']"
        )))
        .await
        .expect("the new token's row")
}

/// Create → reveal → copy → revoke, as an animated image.
async fn film_create_reveal_revoke(app: &AppSession) {
    let mut film = Film {
        dir: tempfile::tempdir().expect("frames folder"),
        frames: Vec::new(),
    };
    app.click("nav-tokens").await;
    app.test_id("token-row").await;
    film.frame(app, 150).await;
    app.click("create-token").await;
    film.frame(app, 80).await;
    type_slowly(app, &mut film, "token-name", "release pipeline").await;
    film.frame(app, 80).await;
    app.click("create-submit").await;
    app.test_id("new-token").await;
    film.frame(app, 250).await;
    app.click("copy-token").await;
    film.frame(app, 150).await;
    app.click("copied-close").await;
    app.wait_gone("[data-testid=\"new-token\"]").await;
    film.frame(app, 150).await;
    row_button(app, "release pipeline", "revoke")
        .await
        .click()
        .await
        .expect("revoke");
    app.test_id("confirm").await;
    film.frame(app, 150).await;
    app.click("confirm").await;
    app.wait_for("[data-testid=\"announcer\"] p").await;
    film.frame(app, 300).await;
    film.save("create-reveal-revoke.gif");
}

#[tokio::main]
async fn main() {
    // First-run setup, on an empty store.
    let empty = Env::new();
    let app = AppSession::start(&empty).await;
    app.test_id("setup-org").await;
    shoot(&app, "setup").await;
    app.stop().await;

    let env = Env::new();
    demo::seed(&env);
    let app = AppSession::start(&env).await;
    app.test_id("signin-username").await;
    app.type_into("signin-username", DEMO_ADMIN).await;
    shoot(&app, "sign-in").await;
    app.type_into("signin-password", DEMO_PASSWORD).await;
    app.click("signin-submit").await;
    app.test_id("token-row").await;
    film_create_reveal_revoke(&app).await;
    // The toast of the film has gone before the screens are taken.
    app.wait_gone("[data-testid=\"announcer\"] p").await;
    app.client
        .find(Locator::Css("main h1"))
        .await
        .expect("the heading")
        .click()
        .await
        .expect("move the focus off the buttons");
    shoot(&app, "my-tokens").await;
    app.click("create-token").await;
    app.type_into("token-name", "nightly export").await;
    shoot(&app, "create-token").await;
    app.click("create-submit").await;
    app.test_id("new-token").await;
    shoot(&app, "reveal-once").await;
    app.click("copied-close").await;
    app.click("revoke").await;
    app.test_id("confirm").await;
    shoot(&app, "revoke-confirm").await;
    app.click("cancel").await;
    app.click("shortcuts").await;
    app.test_id("shortcuts-dialog").await;
    shoot(&app, "shortcuts").await;
    app.click("shortcuts-close").await;
    app.click("nav-reminders").await;
    app.test_id("reminder").await;
    shoot(&app, "reminders").await;
    app.click("nav-overview").await;
    app.test_id("expiry-chart").await;
    shoot(&app, "overview").await;
    app.click("nav-systems").await;
    app.click("show-access-web-api").await;
    app.test_id("access-list").await;
    shoot(&app, "systems").await;
    app.click("nav-accounts").await;
    app.click("manage-bob").await;
    app.wait_for("#manage-title").await;
    shoot(&app, "accounts").await;
    app.click("nav-audit").await;
    app.wait_for("section[aria-labelledby=\"audit-title\"] tbody tr")
        .await;
    shoot(&app, "audit-log").await;
    app.click("nav-settings").await;
    app.test_id("schedule").await;
    shoot(&app, "settings").await;
    app.stop().await;
}

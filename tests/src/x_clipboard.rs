//! The X clipboard as other programs see it (through the test's DISPLAY): what it offers
//! (TARGETS) and holds, and a clipboard manager of the kind GNOME and KDE run, which keeps what
//! an owner hands it as it exits (the ICCCM CLIPBOARD_MANAGER / SAVE_TARGETS protocol) and then
//! serves it itself, so a copied secret would outlive the app.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use x11rb::CURRENT_TIME;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ConnectionExt as _, CreateWindowAux, EventMask, PropMode,
    SELECTION_NOTIFY_EVENT, SelectionNotifyEvent, SelectionRequestEvent, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

const NONE: u32 = 0;

struct X {
    conn: RustConnection,
    window: Window,
}

impl X {
    fn open() -> X {
        let (conn, screen) = x11rb::connect(None).expect("connect to the X display");
        let root = conn.setup().roots[screen].root;
        let window = conn.generate_id().expect("an X id");
        conn.create_window(
            0,
            window,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &CreateWindowAux::new(),
        )
        .expect("create a window");
        conn.flush().expect("flush");
        X { conn, window }
    }

    fn atom(&self, name: &str) -> Atom {
        self.conn
            .intern_atom(false, name.as_bytes())
            .expect("intern")
            .reply()
            .expect("atom")
            .atom
    }

    fn name(&self, atom: Atom) -> String {
        self.conn
            .get_atom_name(atom)
            .ok()
            .and_then(|c| c.reply().ok())
            .map(|r| String::from_utf8_lossy(&r.name).into_owned())
            .unwrap_or_default()
    }

    fn owner(&self, selection: Atom) -> Window {
        self.conn
            .get_selection_owner(selection)
            .expect("get owner")
            .reply()
            .expect("owner")
            .owner
    }

    /// Asks the owner of `selection` for `target` and waits for the answer (5 s at most).
    fn convert(
        &self,
        selection: Atom,
        target: Atom,
        mut other: impl FnMut(&Event),
    ) -> Option<Vec<u8>> {
        if self.owner(selection) == NONE {
            return None;
        }
        let property = self.atom("LATCHKEY_TEST_CONVERT");
        self.conn
            .convert_selection(self.window, selection, target, property, CURRENT_TIME)
            .expect("convert");
        self.conn.flush().expect("flush");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            match self.conn.poll_for_event().expect("X events") {
                Some(Event::SelectionNotify(e)) if e.selection == selection => {
                    if e.property == NONE {
                        return None;
                    }
                    let reply = self
                        .conn
                        .get_property(true, self.window, property, AtomEnum::ANY, 0, 1 << 20)
                        .expect("get property")
                        .reply()
                        .expect("property");
                    return Some(reply.value);
                }
                Some(event) => other(&event),
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        None
    }
}

/// CLIPBOARD converted to `target`, or None when nobody owns it or the owner refuses.
pub fn read(target: &str) -> Option<Vec<u8>> {
    let x = X::open();
    let (clipboard, target) = (x.atom("CLIPBOARD"), x.atom(target));
    x.convert(clipboard, target, |_| {})
}

/// The formats the clipboard's owner offers.
pub fn targets() -> Vec<String> {
    let x = X::open();
    let (clipboard, targets) = (x.atom("CLIPBOARD"), x.atom("TARGETS"));
    x.convert(clipboard, targets, |_| {})
        .unwrap_or_default()
        .chunks_exact(4)
        .map(|c| x.name(u32::from_ne_bytes([c[0], c[1], c[2], c[3]])))
        .collect()
}

/// The clipboard's text, if any.
pub fn text() -> Option<String> {
    read("UTF8_STRING").map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// A clipboard manager on the test's display; see the module comment.
pub struct ClipboardManager {
    kept: Arc<Mutex<Option<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// The display's clipboard is the manager's until it stops: it holds the desktop (so app
    /// windows of other tests neither hand it their clipboard nor see it while it runs).
    _desktop: crate::desktop::Desktop,
}

impl ClipboardManager {
    pub fn start() -> ClipboardManager {
        let desktop = crate::desktop::hold();
        let kept = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let (ready, is_ready) = std::sync::mpsc::channel();
        let thread = {
            let (kept, stop) = (kept.clone(), stop.clone());
            std::thread::spawn(move || manage(kept, stop, ready))
        };
        is_ready
            .recv_timeout(Duration::from_secs(10))
            .expect("the clipboard manager owns CLIPBOARD_MANAGER");
        ClipboardManager {
            kept,
            stop,
            thread: Some(thread),
            _desktop: desktop,
        }
    }

    /// What an exiting owner handed over, if anything.
    pub fn kept(&self) -> Option<String> {
        self.kept
            .lock()
            .unwrap()
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

impl Drop for ClipboardManager {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn manage(
    kept: Arc<Mutex<Option<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    ready: std::sync::mpsc::Sender<()>,
) {
    let x = X::open();
    let manager = x.atom("CLIPBOARD_MANAGER");
    let clipboard = x.atom("CLIPBOARD");
    let save_targets = x.atom("SAVE_TARGETS");
    let targets = x.atom("TARGETS");
    let utf8 = x.atom("UTF8_STRING");
    x.conn
        .set_selection_owner(x.window, manager, CURRENT_TIME)
        .expect("own CLIPBOARD_MANAGER");
    x.conn.flush().expect("flush");
    assert_eq!(x.owner(manager), x.window, "another clipboard manager runs");
    let _ = ready.send(());
    let answer = |request: &SelectionRequestEvent, property: u32| {
        let notify = SelectionNotifyEvent {
            response_type: SELECTION_NOTIFY_EVENT,
            sequence: 0,
            time: request.time,
            requestor: request.requestor,
            selection: request.selection,
            target: request.target,
            property,
        };
        let _ = x
            .conn
            .send_event(false, request.requestor, EventMask::NO_EVENT, notify);
        let _ = x.conn.flush();
    };
    // Serves the kept text to whoever reads the clipboard once the manager owns it.
    let serve = |request: &SelectionRequestEvent| {
        let data = kept.lock().unwrap().clone();
        let property = match data {
            Some(_) if request.target == targets => {
                let _ = x.conn.change_property32(
                    PropMode::REPLACE,
                    request.requestor,
                    request.property,
                    AtomEnum::ATOM,
                    &[targets, utf8],
                );
                request.property
            }
            Some(bytes) if request.target == utf8 => {
                let _ = x.conn.change_property8(
                    PropMode::REPLACE,
                    request.requestor,
                    request.property,
                    utf8,
                    &bytes,
                );
                request.property
            }
            _ => NONE,
        };
        answer(request, property);
    };
    while !stop.load(Ordering::SeqCst) {
        match x.conn.poll_for_event() {
            Ok(Some(Event::SelectionRequest(request)))
                if request.selection == manager && request.target == save_targets =>
            {
                // An owner is exiting: keep its text and take the clipboard over.
                let saved = x.convert(clipboard, utf8, |event| {
                    if let Event::SelectionRequest(r) = event {
                        answer(r, NONE);
                    }
                });
                if let Some(bytes) = saved {
                    *kept.lock().unwrap() = Some(bytes);
                    let _ = x
                        .conn
                        .set_selection_owner(x.window, clipboard, CURRENT_TIME);
                }
                answer(&request, request.property);
            }
            Ok(Some(Event::SelectionRequest(request))) if request.selection == clipboard => {
                serve(&request)
            }
            Ok(Some(Event::SelectionRequest(request))) => answer(&request, NONE),
            Ok(Some(_)) => {}
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => return,
        }
    }
}

//! What a crash prints: where it happened, never what the panic carried. A panic's message can be
//! built from any value in reach (`expect(&format!(…))`), so it is not printed: a crash report
//! cannot hold a secret.
/// Installs the panic hook that prints where `program` crashed, never what the panic carried.
pub fn install(program: &'static str) {
    std::panic::set_hook(Box::new(move |info| {
        let place = info.location().map_or_else(
            || "an unknown place".to_string(),
            |l| format!("{}:{}", l.file(), l.line()),
        );
        eprintln!(
            "{program}: internal error at {place}; please report it (its details are left out, so \
                no secret can be in this message)"
        );
    }));
}

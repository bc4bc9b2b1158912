//! A read-only call against the live API: `SENDGRID_API_KEY=… cargo run -p sdkgen-sendgrid --example read_only --features webhooks-event_webhook`.
//! Without the variables it exits with an error that names the one to set; CI only builds it.

use sdkgen_sendgrid::webhooks::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Without its credential variables, `from_env` fails with an error that names them.
    let client = Client::from_env()?;
    let webhooks = client
        .user()
        .webhooks()
        .event()
        .settings()
        .all()
        .list()
        .send()
        .await?;
    println!("{webhooks:?}");
    Ok(())
}

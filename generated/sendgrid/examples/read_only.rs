//! A read-only call against the live API: `SENDGRID_API_KEY=… cargo run -p sdkgen-sendgrid --example read_only --features webhooks-event_webhook`.
//! Without the variable it says what to set and exits, so CI can build it without a secret.

use sdkgen_sendgrid::webhooks::{Auth, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(key) = std::env::var("SENDGRID_API_KEY") else {
        eprintln!("set SENDGRID_API_KEY to run this example against the live API");
        return Ok(());
    };
    let client = Client::builder().auth(Auth::bearer(key)).build()?;
    let webhooks = client.list_event_webhook().send().await?;
    println!("{webhooks:?}");
    Ok(())
}

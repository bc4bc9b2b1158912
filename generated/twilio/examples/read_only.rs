//! A read-only call against the live API: `TWILIO_AUTH_TOKEN=… cargo run -p sdkgen-twilio --example read_only --features api_v2010-account`.
//! Without the variable it says what to set and exits, so CI can build it without a secret.

use sdkgen_twilio::api_v2010::{Auth, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(key) = std::env::var("TWILIO_AUTH_TOKEN") else {
        eprintln!("set TWILIO_AUTH_TOKEN to run this example against the live API");
        return Ok(());
    };
    let sid = std::env::var("TWILIO_ACCOUNT_SID").unwrap_or_default();
    let client = Client::builder()
        .auth(Auth::basic(sid.clone(), key))
        .build()?;
    let account = client.fetch_account(sid).send().await?;
    println!("{:?} {:?}", account.friendly_name, account.status);
    Ok(())
}

//! A read-only call against the live API: `TWILIO_ACCOUNT_SID=… TWILIO_AUTH_TOKEN=… cargo run -p sdkgen-twilio --example read_only --features api_v2010-account`.
//! Without the variables it exits with an error that names the one to set; CI only builds it.

use sdkgen_twilio::api_v2010::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Without its credential variables, `from_env` fails with an error that names them.
    let client = Client::from_env()?;
    let account = client
        .accounts()
        .fetch(std::env::var("TWILIO_ACCOUNT_SID")?)
        .send()
        .await?;
    println!("{:?} {:?}", account.friendly_name, account.status);
    Ok(())
}

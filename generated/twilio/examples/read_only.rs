//! A read-only call against the live API: `TWILIO_ACCOUNT_SID=… TWILIO_AUTH_TOKEN=… cargo run -p sdkgen-twilio --example read_only --features api_v2010-account`.
//! Without the variables it says what to set and exits, so CI can build it without a secret.

use sdkgen_twilio::api_v2010::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Credentials come from the environment; without them the example says what to set.
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(err @ Error::Build { .. }) => {
            eprintln!("{err}, to run this example against the live API");
            return Ok(());
        }
        Err(err) => return Err(err.into()),
    };
    let account = client
        .fetch_account(std::env::var("TWILIO_ACCOUNT_SID")?)
        .send()
        .await?;
    println!("{:?} {:?}", account.friendly_name, account.status);
    Ok(())
}

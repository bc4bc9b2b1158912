//! A read-only call against the live API: `SLACK_TOKEN=… cargo run -p sdkgen-slack --example read_only --features auth`.
//! Without the variables it says what to set and exits, so CI can build it without a secret.

use sdkgen_slack::{Client, Error};

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
    let identity = client.auth_test().send().await?;
    println!("{identity:?}");
    Ok(())
}

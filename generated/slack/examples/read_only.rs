//! A read-only call against the live API: `SLACK_TOKEN=… cargo run -p sdkgen-slack --example read_only --features auth`.
//! Without the variable it says what to set and exits, so CI can build it without a secret.

use sdkgen_slack::{Auth, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(key) = std::env::var("SLACK_TOKEN") else {
        eprintln!("set SLACK_TOKEN to run this example against the live API");
        return Ok(());
    };
    let client = Client::builder().auth(Auth::bearer(key.clone())).build()?;
    let identity = client.auth_test(key).send().await?;
    println!("{identity:?}");
    Ok(())
}

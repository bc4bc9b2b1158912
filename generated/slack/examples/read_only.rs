//! A read-only call against the live API: `SLACK_TOKEN=… cargo run -p sdkgen-slack --example read_only --features auth`.
//! Without the variables it exits with an error that names the one to set; CI only builds it.

use sdkgen_slack::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Without its credential variables, `from_env` fails with an error that names them.
    let client = Client::from_env()?;
    let identity = client.auth().test().send().await?;
    println!("{identity:?}");
    Ok(())
}

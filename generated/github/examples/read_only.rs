//! A read-only call against the live API: `GITHUB_TOKEN=… cargo run -p sdkgen-github --example read_only --features users`.
//! Without the variables it exits with an error that names the one to set; CI only builds it.

use sdkgen_github::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Without its credential variables, `from_env` fails with an error that names them.
    let client = Client::from_env()?;
    let me = client.users().get_authenticated().send().await?;
    println!("{me:?}");
    Ok(())
}

//! A read-only call against the live API: `GITHUB_TOKEN=… cargo run -p sdkgen-github --example read_only --features users`.
//! Without the variable it says what to set and exits, so CI can build it without a secret.

use sdkgen_github::{Auth, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(key) = std::env::var("GITHUB_TOKEN") else {
        eprintln!("set GITHUB_TOKEN to run this example against the live API");
        return Ok(());
    };
    let client = Client::builder().auth(Auth::bearer(key)).build()?;
    let me = client.users_get_authenticated().send().await?;
    println!("{me:?}");
    Ok(())
}

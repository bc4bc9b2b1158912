//! A read-only call against the live API: `OPENAI_API_KEY=… cargo run -p sdkgen-openai --example read_only --features models`.
//! Without the variable it says what to set and exits, so CI can build it without a secret.

use sdkgen_openai::{Auth, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(key) = std::env::var("OPENAI_API_KEY") else {
        eprintln!("set OPENAI_API_KEY to run this example against the live API");
        return Ok(());
    };
    let client = Client::builder().auth(Auth::bearer(key)).build()?;
    let models = client.list_models().send().await?;
    for model in models.data.iter().take(5) {
        println!("{}", model.id);
    }
    Ok(())
}

//! A read-only call against the live API: `OPENAI_API_KEY=… cargo run -p sdkgen-openai --example read_only --features models`.
//! Without the variables it exits with an error that names the one to set; CI only builds it.

use sdkgen_openai::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Without its credential variables, `from_env` fails with an error that names them.
    let client = Client::from_env()?;
    let models = client.models().list().send().await?;
    for model in models.data.iter().take(5) {
        println!("{}", model.id);
    }
    Ok(())
}

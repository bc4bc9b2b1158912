//! A read-only call against the live API: `STRIPE_API_KEY=… cargo run -p sdkgen-stripe --example read_only --features customers`.
//! Without the variables it exits with an error that names the one to set; CI only builds it.

use sdkgen_stripe::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Without its credential variables, `from_env` fails with an error that names them.
    let client = Client::from_env()?;
    let customers = client.customers().list().limit(3).send().await?;
    for customer in customers.data {
        println!("{} {}", customer.id, customer.email.unwrap_or_default());
    }
    Ok(())
}

//! A read-only call against the live API: `STRIPE_API_KEY=… cargo run -p sdkgen-stripe --example read_only --features customers`.
//! Without the variable it says what to set and exits, so CI can build it without a secret.

use sdkgen_stripe::{Auth, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(key) = std::env::var("STRIPE_API_KEY") else {
        eprintln!("set STRIPE_API_KEY to run this example against the live API");
        return Ok(());
    };
    let client = Client::builder().auth(Auth::bearer(key)).build()?;
    let customers = client.get_customers().limit(3).send().await?;
    for customer in customers.data {
        println!("{} {}", customer.id, customer.email.unwrap_or_default());
    }
    Ok(())
}

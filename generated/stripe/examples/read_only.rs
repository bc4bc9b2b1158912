//! A read-only call against the live API: `STRIPE_API_KEY=… cargo run -p sdkgen-stripe --example read_only --features customers`.
//! Without the variables it says what to set and exits, so CI can build it without a secret.

use sdkgen_stripe::{Client, Error};

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
    let customers = client.get_customers().limit(3).send().await?;
    for customer in customers.data {
        println!("{} {}", customer.id, customer.email.unwrap_or_default());
    }
    Ok(())
}

//! Behaviour of sdkgen-runtime through its public API, against wiremock servers.
//! Timing tests run on paused tokio time: the clock only moves when every task waits on
//! a timer, so measured durations are exact and no test sleeps for real.

mod auth;
mod client;
mod common;
mod errors;
mod objects;
mod ok_flag;
mod pagination;
mod ratelimit;
mod request;
mod retry;
mod sse;
mod uploads;

//! `tower::Service` for [`WebhookService`] (feature `tower`).

use std::convert::Infallible;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Body;

use super::{EventHandler, HandlerError, WebhookService};
use crate::DedupStore;

/// The service for any request body (`axum::body::Body`, `hyper::body::Incoming`, ...):
/// `axum::Router::route_service("/webhooks/pingpp", service)` mounts it as it is.
/// Always ready; every request gets an answer, so the error is [`Infallible`].
impl<H, D, B> tower_service::Service<Request<B>> for WebhookService<H, D>
where
    H: EventHandler,
    D: DedupStore,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<HandlerError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = <Self as hyper::service::Service<Request<B>>>::Future;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        hyper::service::Service::call(self, request)
    }
}

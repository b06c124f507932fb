//! String enums whose values the server controls.
//!
//! Every enum here is `#[non_exhaustive]` and has an `Unknown(String)` variant:
//! a value this SDK does not know yet parses into `Unknown` and serializes back
//! to the very same string, so a new server value never breaks parsing.

/// Defines a server-controlled string enum with an `Unknown(String)` fallback,
/// plus `as_str`, `Display`, `FromStr`, `From<&str>`, `From<String>`,
/// `Serialize` and `Deserialize`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => $wire:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
            /// A value this SDK does not know; the string is kept verbatim.
            ///
            /// Parsing never produces `Unknown` for a known value, so build
            /// `Unknown` only through `From<&str>`/`From<String>`.
            Unknown(String),
        }

        impl $name {
            /// Every value this SDK knows, in wire form.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The wire string of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(s) => s.as_str(),
                }
            }

            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Unknown(s),
                }
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(s.into_owned()))
            }
        }

        impl $crate::wire::WireDe for $name {
            fn wire_de<'de, D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <Self as ::serde::Deserialize>::deserialize(d)
            }
        }
    };
}

string_enum! {
    /// Status of a refund (`refund.status`).
    pub enum RefundStatus {
        /// The refund was accepted and is being processed.
        Pending => "pending",
        /// The refund succeeded.
        Succeeded => "succeeded",
        /// The refund failed; see `failure_code` / `failure_msg`.
        Failed => "failed",
    }
}

string_enum! {
    /// Status of a withdrawal (`withdrawal.status`).
    pub enum WithdrawalStatus {
        /// Created and waiting for the merchant to confirm (also the state a
        /// confirmed withdrawal returns to when the merchant's funds were short).
        Created => "created",
        /// Confirmed by the merchant, being paid out.
        Pending => "pending",
        /// Paid out (webhook `balance.withdrawal.succeeded`).
        Succeeded => "succeeded",
        /// Failed for a reason on the user's side (webhook `balance.withdrawal.failed`).
        Failed => "failed",
        /// Canceled by the merchant.
        Canceled => "canceled",
    }
}

string_enum! {
    /// Status of a batch withdrawal (`batch_withdrawal.status`).
    pub enum BatchWithdrawalStatus {
        /// Created.
        Created => "created",
        /// Being processed.
        Pending => "pending",
        /// Every withdrawal of the batch is finished.
        Succeeded => "succeeded",
        /// The batch failed.
        Failed => "failed",
        /// The batch was canceled.
        Canceled => "canceled",
    }
}

string_enum! {
    /// Withdrawal channel (`withdrawal.channel`).
    pub enum Channel {
        /// UnionPay bank card or passbook.
        Unionpay => "unionpay",
        /// Alipay account.
        Alipay => "alipay",
        /// WeChat Pay (app).
        Wx => "wx",
        /// WeChat Pay (official account).
        WxPub => "wx_pub",
        /// WeChat Pay (mini program).
        WxLite => "wx_lite",
        /// Allinpay (通联) bank transfer.
        Allinpay => "allinpay",
        /// JD Pay bank transfer.
        Jdpay => "jdpay",
    }
}

string_enum! {
    /// The `type` of an API error body.
    pub enum ErrorType {
        /// `invalid_request_error`: bad parameters, authentication or signature.
        InvalidRequest => "invalid_request_error",
        /// `api_error`: a server-side error.
        Api => "api_error",
        /// `channel_error`: the payment channel refused.
        Channel => "channel_error",
        /// `card_error`: the card was refused.
        Card => "card_error",
    }
}

string_enum! {
    /// Where the money of a recharge refund comes from (`funding_source`).
    pub enum FundingSource {
        /// Unsettled funds.
        UnsettledFunds => "unsettled_funds",
        /// The recharged balance.
        RechargeFunds => "recharge_funds",
    }
}

string_enum! {
    /// Channel of a settle account (`settle_account.channel`; the Go SDK's demo lists
    /// `bank_account`, `alipay` and `wx_pub`).
    pub enum SettleAccountChannel {
        /// A bank card.
        BankAccount => "bank_account",
        /// An Alipay account.
        Alipay => "alipay",
        /// WeChat Pay (official account), paid to an open id.
        WxPub => "wx_pub",
    }
}

string_enum! {
    /// Transfer type of a settle account recipient (`recipient.type`).
    pub enum RecipientType {
        /// Company to person (企业向个人付款).
        B2c => "b2c",
        /// Company to company (企业向企业付款).
        B2b => "b2b",
    }
}

string_enum! {
    /// Kind of Alipay account in `extra.account_type` of an Alipay withdrawal.
    pub enum AlipayAccountType {
        /// Alipay user id: a 16-digit number starting with `2088`.
        UserId => "ALIPAY_USERID",
        /// Alipay logon id: an email address or a phone number.
        LogonId => "ALIPAY_LOGONID",
    }
}

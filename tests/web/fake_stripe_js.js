/*
 * A stand-in for https://js.stripe.com/<release>/stripe.js in the offline browser tests: only the
 * calls the billing page makes (Stripe(), elements(), create("payment"), mount(), on(),
 * destroy(), confirmPayment(), confirmSetup(), handleNextAction()). Like the real one, the card field is a frame
 * from js.stripe.com (so the CSP's frame-src is exercised), and confirming POSTs the publishable
 * key and client secret to api.stripe.com (connect-src), which the test routes to the emulator.
 *
 * The same file runs inside that frame (/fake-elements/...), where it reports the typed card
 * number to the page, as Stripe's frames talk to Stripe.js with postMessage.
 */
(function () {
  "use strict";

  var API = "https://api.stripe.com/v1";
  var FRAME = "https://js.stripe.com/fake-elements/payment.html";
  // Stripe's documented test card numbers and the test PaymentMethods they stand for.
  var TEST_CARDS = {
    "4242424242424242": "pm_card_visa",
    "4000000000000002": "pm_card_chargeDeclined",
    "4000000000009995": "pm_card_chargeDeclinedInsufficientFunds",
  };

  if (location.pathname.indexOf("/fake-elements/") === 0) {
    var input = document.getElementById("card-number");
    input.addEventListener("input", function () {
      parent.postMessage({ fakeStripe: "change", number: input.value.replace(/\D/g, "") }, "*");
    });
    parent.postMessage({ fakeStripe: "ready" }, "*");
    return;
  }

  function paymentElement(state) {
    var listeners = {};
    var frame = null;

    function emit(name, payload) {
      (listeners[name] || []).forEach(function (listener) {
        listener(payload);
      });
    }

    function onMessage(event) {
      if (!frame || event.source !== frame.contentWindow || !event.data) return;
      if (event.data.fakeStripe === "ready") emit("ready", { elementType: "payment" });
      if (event.data.fakeStripe === "change") {
        state.number = event.data.number;
        emit("change", { elementType: "payment", empty: !state.number, complete: state.number.length >= 16 });
      }
    }

    var element = {
      on: function (name, listener) {
        (listeners[name] = listeners[name] || []).push(listener);
        return element;
      },
      mount: function (target) {
        var host = typeof target === "string" ? document.querySelector(target) : target;
        if (!host) throw new Error("IntegrationError: mount target not found");
        frame = document.createElement("iframe");
        frame.name = "__privateStripeFrame" + Math.floor(Math.random() * 1e6);
        frame.title = "Secure payment input frame";
        frame.src = FRAME;
        window.addEventListener("message", onMessage);
        host.appendChild(frame);
      },
      unmount: function () {
        window.removeEventListener("message", onMessage);
        if (frame) frame.remove();
        frame = null;
      },
      destroy: function () {
        element.unmount();
        listeners = {};
      },
    };
    return element;
  }

  function Stripe(publishableKey) {
    if (!/^pk_(test|live)_/.test(publishableKey || "")) {
      throw new Error("IntegrationError: Invalid API Key provided: " + publishableKey);
    }

    function confirm(kind, options) {
      var elements = options && options.elements;
      if (!elements || !elements._state) {
        return Promise.reject(new Error("IntegrationError: confirm needs the elements instance"));
      }
      if (options.redirect !== "if_required") {
        return Promise.reject(new Error("fake Stripe.js only confirms cards in place"));
      }
      var state = elements._state;
      if (!state.number) {
        return Promise.resolve({
          error: { type: "validation_error", code: "incomplete_number", message: "Your card number is incomplete." },
        });
      }
      var method = TEST_CARDS[state.number];
      if (!method) {
        return Promise.resolve({
          error: { type: "validation_error", code: "invalid_number", message: "Your card number is invalid." },
        });
      }
      var intentId = state.clientSecret.split("_secret_")[0];
      var body = new URLSearchParams({
        key: publishableKey,
        client_secret: state.clientSecret,
        payment_method: method,
        return_url: (options.confirmParams && options.confirmParams.return_url) || "",
      });
      var path = kind === "setup" ? "/setup_intents/" : "/payment_intents/";
      return fetch(API + path + intentId + "/confirm", { method: "POST", body: body })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          if (answer.error) return { error: answer.error };
          return kind === "setup" ? { setupIntent: answer } : { paymentIntent: answer };
        });
    }

    return {
      elements: function (options) {
        if (!options || !options.clientSecret) throw new Error("IntegrationError: clientSecret is required");
        var state = { clientSecret: options.clientSecret, number: "" };
        return {
          _state: state,
          create: function (type) {
            if (type !== "payment") throw new Error("fake Stripe.js has only the payment element");
            return paymentElement(state);
          },
        };
      },
      confirmPayment: function (options) {
        return confirm("payment", options);
      },
      confirmSetup: function (options) {
        return confirm("setup", options);
      },
      // A PaymentIntent in requires_action (an upgrade's 3-D Secure): the bank's challenge is
      // passed at once, and the intent goes to api.stripe.com as the real one finishes it.
      handleNextAction: function (options) {
        if (!options || !options.clientSecret) {
          return Promise.reject(new Error("IntegrationError: clientSecret is required"));
        }
        var intentId = options.clientSecret.split("_secret_")[0];
        var body = new URLSearchParams({ key: publishableKey, client_secret: options.clientSecret });
        return fetch(API + "/payment_intents/" + intentId + "/confirm", { method: "POST", body: body })
          .then(function (response) {
            return response.json();
          })
          .then(function (answer) {
            return answer.error ? { error: answer.error } : { paymentIntent: answer };
          });
      },
    };
  }

  // @stripe/stripe-js compares this with the release it expects and warns on a mismatch.
  Stripe.version = (document.currentScript && document.currentScript.src.split("/")[3]) || "v3";
  window.Stripe = Stripe;
})();

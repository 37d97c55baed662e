#include "guarded_call.hpp"

#include <emscripten.h>

namespace rtc_signaling::wasm {

using emscripten::EM_VAL;
using emscripten::val;

// clang-format off
EM_JS(EM_VAL, rtc_guarded_call_js, (EM_VAL target, const char* method, EM_VAL args), {
  try {
    var object = Emval.toValue(target);
    var value = object[UTF8ToString(method)].apply(object, Emval.toValue(args));
    return Emval.toHandle({ ok: true, value: value });
  } catch (error) {
    return Emval.toHandle({ ok: false, value: error });
  }
});

EM_JS(EM_VAL, rtc_guarded_new_js, (EM_VAL constructor, EM_VAL args), {
  try {
    var Ctor = Emval.toValue(constructor);
    return Emval.toHandle({ ok: true, value: Reflect.construct(Ctor, Emval.toValue(args)) });
  } catch (error) {
    return Emval.toHandle({ ok: false, value: error });
  }
});

EM_JS(EM_VAL, rtc_error_text_js, (EM_VAL error), {
  var e = Emval.toValue(error);
  var text;
  try {
    text = e && e.name ? e.name + ": " + e.message : String(e);
  } catch (_) {
    text = "unknown error";
  }
  return Emval.toHandle(text);
});
// clang-format on

namespace {
CallResult unpack(EM_VAL handle) {
  val result = val::take_ownership(handle);
  return CallResult{result["ok"].as<bool>(), result["value"]};
}
} // namespace

std::string CallResult::error_text() const {
  if (ok)
    return {};
  return val::take_ownership(rtc_error_text_js(value.as_handle())).as<std::string>();
}

CallResult guarded_call(const val& target, const char* method, const val& args) {
  if (target.isNull() || target.isUndefined() ||
      target[method].typeOf().as<std::string>() != "function") {
    return CallResult{false, val(std::string("TypeError: ") + method + " is not available")};
  }
  return unpack(rtc_guarded_call_js(target.as_handle(), method, args.as_handle()));
}

CallResult guarded_new(const val& constructor, const val& args) {
  if (constructor.typeOf().as<std::string>() != "function") {
    return CallResult{false, val(std::string("TypeError: constructor is not available"))};
  }
  return unpack(rtc_guarded_new_js(constructor.as_handle(), args.as_handle()));
}

} // namespace rtc_signaling::wasm

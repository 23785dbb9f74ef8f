// Node-API glue: errors with a stable `code` property, mapped to typed classes by src/backends.
#pragma once
#include <napi.h>

#include <string>

namespace mw::bind {

// Throws a JS Error whose `code` is one of the ERR_MW_* codes of src/errors.ts.
inline void ThrowCoded(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Value().Set("code", Napi::String::New(env, code));
  err.ThrowAsJavaScriptException();
}

// Reads an integer-valued number property; throws ERR_MW_INVALID_CONFIG if absent or fractional.
inline bool ReadInt(Napi::Object obj, const char* key, int32_t& out) {
  Napi::Env env = obj.Env();
  Napi::Value v = obj.Get(key);
  if (!v.IsNumber()) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", std::string("native params: '") + key + "' must be a number");
    return false;
  }
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= -2147483648.0 && d <= 2147483647.0) || static_cast<double>(static_cast<int32_t>(d)) != d) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", std::string("native params: '") + key + "' must be a 32-bit integer, got " + std::to_string(d));
    return false;
  }
  out = static_cast<int32_t>(d);
  return true;
}

// Reads a finite number property as a float; throws ERR_MW_INVALID_CONFIG if absent or not finite.
inline bool ReadFloat(Napi::Object obj, const char* key, float& out) {
  Napi::Env env = obj.Env();
  Napi::Value v = obj.Get(key);
  const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : 0.0;
  if (!v.IsNumber() || !(d >= -3.4e38 && d <= 3.4e38)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", std::string("native params: '") + key + "' must be a finite number");
    return false;
  }
  out = static_cast<float>(d);
  return true;
}

}  // namespace mw::bind

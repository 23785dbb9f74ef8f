// Node-API glue: reading typed-array arguments of an exact type and length.
#pragma once
#include <napi.h>

#include <string>

#include "errors.h"

namespace mw::bind {

// Data of argument `v` if it is a T-typed array (napi type `type`) of exactly `length` elements
// (any length if length < 0); otherwise throws ERR_MW_INVALID_ARGUMENT naming `what` and returns
// nullptr. `nullable` accepts null/undefined, also returning nullptr (without throwing). Messages
// start with `env_id`.
template <typename T>
const T* TypedData(Napi::Value v, napi_typedarray_type type, int64_t length, const char* what, bool nullable = false,
                   const char* env_id = "MAPF-v0") {
  if (nullable && (v.IsNull() || v.IsUndefined())) return nullptr;
  const char* names[] = {"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
                         "Int32Array", "Uint32Array", "Float32Array", "Float64Array"};
  const std::string want = type <= napi_float64_array ? names[type] : "typed array";
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type ||
      (length >= 0 && static_cast<int64_t>(v.As<Napi::TypedArray>().ElementLength()) != length)) {
    ThrowCoded(v.Env(), "ERR_MW_INVALID_ARGUMENT",
               std::string(env_id) + ": " + what + " must be a " + want +
                   (length >= 0 ? " of " + std::to_string(length) + " elements" : std::string()));
    return nullptr;
  }
  return v.As<Napi::TypedArrayOf<T>>().Data();
}

}  // namespace mw::bind

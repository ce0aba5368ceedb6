import type { ButtonHTMLAttributes } from 'react';

type TVariant = 'primary' | 'secondary' | 'danger' | 'ghost';
type TSize = 'sm' | 'md';

const VARIANTS: Record<TVariant, string> = {
  primary: 'bg-indigo-600 text-white shadow-xs hover:bg-indigo-700 border-transparent',
  secondary: 'bg-white text-gray-800 shadow-xs hover:bg-gray-50 border-gray-300',
  danger: 'bg-red-600 text-white shadow-xs hover:bg-red-700 border-transparent',
  ghost: 'bg-transparent text-gray-700 hover:bg-gray-100 border-transparent',
};

const SIZES: Record<TSize, string> = {
  sm: 'px-2.5 py-1 text-sm',
  md: 'px-3.5 py-2 text-sm',
};

export type TButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { variant?: TVariant; size?: TSize };

export function Button({ variant = 'secondary', size = 'md', type = 'button', className = '', ...props }: TButtonProps) {
  return (
    <button
      type={type}
      className={`inline-flex items-center justify-center gap-1.5 rounded-md border font-medium whitespace-nowrap transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${VARIANTS[variant]} ${SIZES[size]} ${className}`}
      {...props}
    />
  );
}
